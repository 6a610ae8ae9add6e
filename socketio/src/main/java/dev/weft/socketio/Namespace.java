package dev.weft.socketio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Socket.IO namespace ({@code /} or e.g. {@code /admin}): the middleware that admits or refuses
 * clients, the connection handlers, its sockets and rooms, and emits to all or some of them.
 *
 * <p>Configuring ({@link #use}, {@link #onConnection}, {@link #remoteFanOut}) is allowed from any
 * thread before clients connect; everything else on the server's hub.
 */
public final class Namespace {
    /** Runs before a client is admitted; throws to refuse it. In the client's fiber. */
    @FunctionalInterface
    public interface Middleware {
        void check(SocketIoSocket socket) throws ConnectRefusedException;
    }

    /**
     * Where a broadcast goes beyond this server's hub (other hubs of the process, other processes
     * through a message bus): called after the local delivery, in the emitting fiber.
     */
    @FunctionalInterface
    public interface RemoteFanOut {
        /** {@code packets}: the encoded Engine.IO packets (the text, then binary attachments), as {@link Broadcast#deliverLocally} takes them. */
        void publish(Namespace namespace, Broadcast to, List<Object> packets);
    }

    private final String name;
    private final List<Middleware> middleware = new CopyOnWriteArrayList<>();
    private final List<Consumer<SocketIoSocket>> connectionHandlers = new CopyOnWriteArrayList<>();
    private final Map<String, SocketIoSocket> sockets = new LinkedHashMap<>();
    private final Rooms rooms = new Rooms();
    private volatile RemoteFanOut remote;

    Namespace(String name) {
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

    /** Sets where broadcasts also go beyond this hub (null: nowhere). */
    public Namespace remoteFanOut(RemoteFanOut fanOut) {
        this.remote = fanOut;
        return this;
    }

    /** The sockets connected now. */
    public Collection<SocketIoSocket> sockets() {
        return List.copyOf(sockets.values());
    }

    /** A socket by id, or null. */
    public SocketIoSocket socket(String id) {
        return sockets.get(id);
    }

    /** The rooms with members now (every socket's own room included). */
    public Set<String> roomNames() {
        return rooms.names();
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

    /** A broadcast to the local members of {@code rooms} minus {@code except} (for a remote fan-out's receiving side). */
    public Broadcast broadcast(Set<String> toRooms, Set<String> exceptRooms) {
        return new Broadcast(this, Set.copyOf(toRooms), Set.copyOf(exceptRooms));
    }

    // ---------------------------------------------------------------- for Client, SocketIoSocket, Broadcast

    Rooms rooms() {
        return rooms;
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
        sockets.put(socket.id(), socket);
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
        sockets.remove(socket.id(), socket);
    }

    @Override
    public String toString() {
        return "Namespace(" + name + ", " + sockets.size() + " sockets)";
    }
}
