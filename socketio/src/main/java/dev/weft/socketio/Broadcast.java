package dev.weft.socketio;

import dev.weft.socketio.internal.SioPacket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who an emit goes to: the sockets of a namespace in any of the rooms named with {@link #to} (every
 * socket if none was named), minus those in a room named with {@link #except}. Immutable: each call
 * returns a new one. The packet is encoded once and put in each recipient's outbox; a slow
 * recipient delays nobody (its own outbox fills, and then it is disconnected).
 *
 * <p>Thread rule: the server's hub.
 */
public final class Broadcast {
    private final Namespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;

    Broadcast(Namespace namespace, Set<String> rooms, Set<String> except) {
        this.namespace = namespace;
        this.rooms = rooms;
        this.except = except;
    }

    /** Also to the members of {@code room}. */
    public Broadcast to(String room) {
        Set<String> r = new LinkedHashSet<>(rooms);
        r.add(room);
        return new Broadcast(namespace, r, except);
    }

    /** Not to the members of {@code room}. */
    public Broadcast except(String room) {
        Set<String> e = new LinkedHashSet<>(except);
        e.add(room);
        return new Broadcast(namespace, rooms, e);
    }

    /** Not to {@code socket} (its own room). */
    public Broadcast except(SocketIoSocket socket) {
        return except(socket.id());
    }

    /** The rooms named with {@link #to} (empty: everyone). */
    public Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    /** The rooms named with {@link #except}. */
    public Set<String> exceptRooms() {
        return Set.copyOf(except);
    }

    /**
     * Sends event {@code name} with {@code args} to every recipient on this server, then hands it to
     * the namespace's remote fan-out (other hubs or processes), if one is set.
     */
    public void emit(String name, Object... args) {
        List<Object> packets = SioPacket.encode(SioPacket.EVENT, namespace.name(), -1, SocketIoSocket.eventData(name, args));
        deliverLocally(packets);
        namespace.fanOutRemotely(this, packets);
    }

    /**
     * Puts encoded {@code packets} (an Engine.IO message: the Socket.IO packet's text with the
     * message type {@code 4} in front, then its binary attachments) in the outbox of every local
     * recipient; returns how many. For a remote fan-out's receiving side.
     */
    public int deliverLocally(List<Object> packets) {
        int n = 0;
        for (SocketIoSocket s : recipients()) {
            s.send(packets);
            n++;
        }
        return n;
    }

    /** The local sockets this reaches. */
    public List<SocketIoSocket> recipients() {
        Set<SocketIoSocket> out = new LinkedHashSet<>();
        Rooms r = namespace.rooms();
        if (rooms.isEmpty()) {
            out.addAll(namespace.sockets());
        } else {
            for (String room : rooms) {
                out.addAll(r.members(room));
            }
        }
        for (String room : except) {
            r.members(room).forEach(out::remove);
        }
        return new ArrayList<>(out);
    }
}
