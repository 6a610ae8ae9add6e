package dev.weft.socketio;

import dev.weft.fibers.Hub;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Socket.IO namespace ({@code /} or e.g. {@code /admin}): the middleware that admits or refuses
 * clients, the connection handlers, its sockets and rooms, and emits to all or some of them.
 *
 * <p>Its sockets and rooms are kept per hub (a socket lives on its session's hub, see {@link
 * SocketIoServer}): {@link #sockets}, {@link #socket}, {@link #roomNames} and {@link
 * Broadcast#recipients} see those of the calling fiber's hub; a {@link Broadcast} reaches every hub.
 *
 * <p>Configuring ({@link #use}, {@link #onConnection}, {@link #remoteFanOut}) is allowed from any
 * thread before clients connect; broadcasts ({@link #emit}, {@link #to}) from any thread or hub;
 * everything else in a fiber of a hub of the server.
 */
public final class Namespace {
    /** Runs before a client is admitted; throws to refuse it. In the client's fiber. */
    @FunctionalInterface
    public interface Middleware {
        void check(SocketIoSocket socket) throws ConnectRefusedException;
    }

    /**
     * Where a broadcast goes beyond this process (other processes through a message bus): called
     * after the delivery in this process (on the emitting hub, handed to the others), in the
     * emitting fiber or thread.
     */
    @FunctionalInterface
    public interface RemoteFanOut {
        /** {@code packets}: the encoded Engine.IO packets (the text, then binary attachments), as {@link Broadcast#deliverLocally} takes them. */
        void publish(Namespace namespace, Broadcast to, List<Object> packets);
    }

    /** A namespace's sockets and rooms on one hub. That hub. */
    private static final class OnHub {
        final Map<String, SocketIoSocket> sockets = new LinkedHashMap<>();
        /** The same sockets, for emits to everyone. */
        final Members all = new Members();
        final Rooms rooms = new Rooms();
    }

    private final SocketIoServer server;
    private final String name;
    private final List<Middleware> middleware = new CopyOnWriteArrayList<>();
    private final List<Consumer<SocketIoSocket>> connectionHandlers = new CopyOnWriteArrayList<>();
    private final Map<Hub, OnHub> hubs = new ConcurrentHashMap<>();
    private volatile RemoteFanOut remote;

    Namespace(SocketIoServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Adds a check run for each client that connects, before it is admitted (in order). */
    public Namespace use(Middleware m) {
        middleware.add(m);
        return this;
    }

    /** Called with each admitted socket, in the client's fiber (register its event handlers here). */
    public Namespace onConnection(Consumer<SocketIoSocket> handler) {
        connectionHandlers.add(handler);
        return this;
    }

    /** Sets where broadcasts also go beyond this process (null: nowhere). */
    public Namespace remoteFanOut(RemoteFanOut fanOut) {
        this.remote = fanOut;
        return this;
    }

    /** The sockets connected now on the calling fiber's hub. */
    public Collection<SocketIoSocket> sockets() {
        return List.copyOf(here().sockets.values());
    }

    /** A socket of the calling fiber's hub by id, or null. */
    public SocketIoSocket socket(String id) {
        return here().sockets.get(id);
    }

    /** The rooms with members on the calling fiber's hub now (every socket's own room included). */
    public Set<String> roomNames() {
        return here().rooms.names();
    }

    /** To the members of {@code room}. */
    public Broadcast to(String room) {
        return broadcast().to(room);
    }

    /** To everyone in the namespace. */
    public Broadcast broadcast() {
        return new Broadcast(this, Set.of(), Set.of());
    }

    /** Sends event {@code name} to everyone in the namespace. */
    public void emit(String event, Object... args) {
        broadcast().emit(event, args);
    }

    /** A broadcast to the members of {@code rooms} minus {@code except} (for a remote fan-out's receiving side). */
    public Broadcast broadcast(Set<String> toRooms, Set<String> exceptRooms) {
        return new Broadcast(this, Set.copyOf(toRooms), Set.copyOf(exceptRooms));
    }

    // ---------------------------------------------------------------- for Client, SocketIoSocket, Broadcast

    SocketIoServer server() {
        return server;
    }

    /** This hub's rooms. */
    Rooms rooms() {
        return here().rooms;
    }

    /** The sockets of the calling fiber's hub, for an emit to everyone (see {@link Members#snapshot()}). */
    SocketIoSocket[] socketsSnapshot() {
        return here().all.snapshot();
    }

    /** This namespace's sockets and rooms on the calling fiber's hub (created on first use, dropped when the hub closes). */
    private OnHub here() {
        Hub hub = Hub.current();
        OnHub o = hubs.get(hub);
        if (o == null) {
            OnHub fresh = new OnHub();
            hubs.put(hub, fresh);
            hub.onClose(() -> hubs.remove(hub));
            o = fresh;
        }
        return o;
    }

    void fanOutRemotely(Broadcast to, List<Object> packets) {
        RemoteFanOut r = remote;
        if (r != null) {
            r.publish(this, to, packets);
        }
    }

    /** Runs the middleware; admitted: the socket is connected and the connection handlers run. */
    boolean admit(SocketIoSocket socket) {
        try {
            for (Middleware m : middleware) {
                m.check(socket);
            }
        } catch (ConnectRefusedException refused) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("message", refused.getMessage());
            if (refused.data() != null) {
                err.put("data", refused.data());
            }
            socket.send0(dev.weft.socketio.internal.SioPacket.encode(dev.weft.socketio.internal.SioPacket.CONNECT_ERROR,
                    name, -1, err));
            return false;
        }
        OnHub here = here();
        here.sockets.put(socket.id(), socket);
        here.all.add(socket);
        socket.markConnected();
        for (Consumer<SocketIoSocket> h : new ArrayList<>(connectionHandlers)) {
            try {
                h.accept(socket);
            } catch (RuntimeException e) {
                System.getLogger("dev.weft.socketio").log(System.Logger.Level.WARNING,
                        "a connection handler of namespace " + name + " failed for socket " + socket.id(), e);
            }
        }
        return true;
    }

    void removed(SocketIoSocket socket) {
        OnHub here = here();
        if (here.sockets.remove(socket.id(), socket)) {
            here.all.remove(socket);
        }
    }

    @Override
    public String toString() {
        return "Namespace(" + name + ")";
    }
}
