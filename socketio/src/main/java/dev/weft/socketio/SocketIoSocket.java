package dev.weft.socketio;

import dev.weft.fibers.Event;
import dev.weft.socketio.internal.SioPacket;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One client in one namespace: its id (also the name of its own room), the rooms it is in, its
 * event handlers, and what to send it. Every handler of a client runs in that client's own fiber,
 * one at a time, in the order its packets came.
 *
 * <p>Sending ({@link #emit}) never blocks: the packet goes to the client's bounded outbox; a client
 * that cannot keep up is disconnected with the reason {@value #OUTBOX_FULL} (nothing is dropped while
 * it stays connected). After a disconnect, emits are ignored.
 *
 * <p>Thread rule: the hub of the client's session (any of its fibers).
 */
public final class SocketIoSocket {
    /** Disconnect reasons, as socket.io names them. */
    public static final String SERVER_NAMESPACE_DISCONNECT = "server namespace disconnect";
    public static final String CLIENT_NAMESPACE_DISCONNECT = "client namespace disconnect";
    public static final String SERVER_SHUTTING_DOWN = "server shutting down";
    public static final String OUTBOX_FULL = dev.weft.socketio.internal.EngineSession.OUTBOX_FULL;

    private final Namespace namespace;
    private final Client client;
    private final String id;
    private final Object auth;
    private final HandshakeInfo handshake;
    private final Set<String> rooms = new LinkedHashSet<>();
    private final Map<String, EventHandler> handlers = new HashMap<>();
    private final List<Consumer<String>> disconnectHandlers = new CopyOnWriteArrayList<>();
    private final Map<Long, Pending> pendingAcks = new HashMap<>();
    private long nextAck;
    private boolean connected;
    private String disconnectReason;

    /** An acknowledgement awaited. */
    private static final class Pending {
        final Event done = new Event();
        List<Object> args;
    }

    SocketIoSocket(Namespace namespace, Client client, String id, Object auth, HandshakeInfo handshake) {
        this.namespace = namespace;
        this.client = client;
        this.id = id;
        this.auth = auth;
        this.handshake = handshake;
    }

    /** This socket's id, unique on the server; also the name of its own room. */
    public String id() {
        return id;
    }

    /** The Engine.IO session id of its connection (one per client connection, shared by its namespaces). */
    public String sessionId() {
        return client.session().sid();
    }

    public Namespace namespace() {
        return namespace;
    }

    /** The client's {@code auth} payload (a Map), or null. */
    public Object auth() {
        return auth;
    }

    /** The client's first HTTP request. */
    public HandshakeInfo handshake() {
        return handshake;
    }

    /** Whether it is connected to its namespace. */
    public boolean connected() {
        return connected;
    }

    /** Why it disconnected, or null while connected. */
    public String disconnectReason() {
        return disconnectReason;
    }

    /** Handles event {@code name} with {@code handler}, replacing an earlier one. */
    public SocketIoSocket on(String name, EventHandler handler) {
        handlers.put(name, handler);
        return this;
    }

    /** {@code handler} is called with the reason when this socket disconnects (in the client's fiber). */
    public SocketIoSocket onDisconnect(Consumer<String> handler) {
        disconnectHandlers.add(handler);
        return this;
    }

    /** Sends event {@code name} with {@code args} (JSON-able values; {@code byte[]} for binary). */
    public void emit(String name, Object... args) {
        send(SioPacket.encode(SioPacket.EVENT, namespace.name(), -1, eventData(name, args)));
    }

    /**
     * Sends event {@code name} and waits (blocking the calling fiber) for the client's
     * acknowledgement, at most {@code timeout}.
     *
     * @return the arguments the client acknowledged with
     * @throws AckTimeoutException if none came in time, or the client disconnected first
     */
    public List<Object> emitWithAck(Duration timeout, String name, Object... args) throws AckTimeoutException {
        if (!connected) {
            throw new AckTimeoutException("socket " + id + " is disconnected (" + disconnectReason + ")", true);
        }
        long ackId = nextAck++;
        Pending p = new Pending();
        pendingAcks.put(ackId, p);
        try {
            send(SioPacket.encode(SioPacket.EVENT, namespace.name(), ackId, eventData(name, args)));
            if (!p.done.await(timeout)) {
                throw new AckTimeoutException("client " + id + " did not acknowledge '" + name + "' within "
                        + timeout.toMillis() + " ms", false);
            }
            if (p.args == null) {
                throw new AckTimeoutException("client " + id + " disconnected (" + disconnectReason
                        + ") before it acknowledged '" + name + "'", true);
            }
            return p.args;
        } finally {
            pendingAcks.remove(ackId);
        }
    }

    static List<Object> eventData(String name, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return Arrays.asList(all);
    }

    void send(List<Object> packets) {
        if (connected) {
            client.session().send(packets);
        }
    }

    /** Sends whether connected or not (a CONNECT_ERROR). */
    void send0(List<Object> packets) {
        client.session().send(packets);
    }

    /** Joins {@code room}. */
    public void join(String room) {
        if (connected && rooms.add(room)) {
            namespace.rooms().add(room, this);
        }
    }

    /** Leaves {@code room}. */
    public void leave(String room) {
        if (rooms.remove(room)) {
            namespace.rooms().remove(room, this);
        }
    }

    /** Whether it is in any of {@code rooms}. */
    boolean inAnyOf(Set<String> rooms) {
        for (String room : rooms) {
            if (this.rooms.contains(room)) {
                return true;
            }
        }
        return false;
    }

    /** The rooms it is in (its own room included). */
    public Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    /** To the members of {@code room} other than this socket. */
    public Broadcast to(String room) {
        return namespace.to(room).except(this);
    }

    /** To every socket of the namespace other than this one. */
    public Broadcast broadcast() {
        return namespace.broadcast().except(this);
    }

    /**
     * Disconnects it from its namespace (reason {@value #SERVER_NAMESPACE_DISCONNECT}); with {@code
     * closeConnection} the client's whole connection closes too.
     */
    public void disconnect(boolean closeConnection) {
        if (!connected) {
            return;
        }
        client.session().send(SioPacket.encode(SioPacket.DISCONNECT, namespace.name(), -1, null));
        ended(SERVER_NAMESPACE_DISCONNECT, true);
        if (closeConnection) {
            client.session().closeGracefully(SERVER_NAMESPACE_DISCONNECT);
        }
    }

    /**
     * Closes the client's connection abruptly, as a network failure would (no DISCONNECT packet): the
     * client sees "transport close" and, as socket.io clients do, reconnects. The reason here is
     * "forced close".
     */
    public void closeTransport() {
        client.session().close("forced close");
    }

    // ---------------------------------------------------------------- for Client and Namespace

    void markConnected() {
        connected = true;
        join(id);
        client.session().send(SioPacket.encode(SioPacket.CONNECT, namespace.name(), -1, Map.of("sid", id)));
    }

    void dispatchEvent(List<Object> data, long ackId) {
        if (!connected) {
            return;
        }
        String name = (String) data.get(0);
        EventHandler h = handlers.get(name);
        Ack ack = ackId < 0 ? null : new Ack() {
            private boolean sent;

            @Override
            public void send(Object... args) {
                if (!sent) {
                    sent = true;
                    SocketIoSocket.this.send(SioPacket.encode(SioPacket.ACK, namespace.name(), ackId, Arrays.asList(args)));
                }
            }
        };
        if (h == null) {
            return;
        }
        try {
            h.handle(data.subList(1, data.size()), ack);
        } catch (Exception e) {
            System.getLogger("dev.weft.socketio").log(System.Logger.Level.WARNING,
                    "the handler of '" + name + "' failed for socket " + id, e);
        }
    }

    void acked(long ackId, List<Object> args) {
        Pending p = pendingAcks.get(ackId);
        if (p != null) {
            p.args = args;
            p.done.set();
        }
    }

    /** Leaves every room and the namespace, wakes acknowledgements awaited, runs the disconnect handlers (once). */
    void ended(String reason, boolean byServer) {
        if (disconnectReason != null) {
            return;
        }
        boolean wasConnected = connected;
        connected = false;
        disconnectReason = reason;
        for (String room : List.copyOf(rooms)) {
            leave(room);
        }
        namespace.removed(this);
        client.removed(this);
        for (Pending p : pendingAcks.values()) {
            p.done.set();
        }
        if (!wasConnected) {
            return;
        }
        for (Consumer<String> h : disconnectHandlers) {
            try {
                h.accept(reason);
            } catch (RuntimeException e) {
                System.getLogger("dev.weft.socketio").log(System.Logger.Level.WARNING,
                        "a disconnect handler of socket " + id + " failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "SocketIoSocket(" + namespace.name() + " " + id + ")";
    }
}
