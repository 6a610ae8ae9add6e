package dev.weft.socketio;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A namespace's rooms on one hub: room name to its member sockets (the sockets of the sessions that
 * live on that hub). The registry is per hub by design, without locks; a room spanning hubs or
 * processes is a {@link Broadcast} delivered to each hub's registry (see {@link SocketIoServer}, and
 * {@link Namespace#remoteFanOut} across processes).
 *
 * <p>Thread rule: the hub it belongs to.
 */
final class Rooms {
    private static final SocketIoSocket[] NONE = new SocketIoSocket[0];
    private final Map<String, Members> members = new HashMap<>();

    void add(String room, SocketIoSocket s) {
        members.computeIfAbsent(room, r -> new Members()).add(s);
    }

    void remove(String room, SocketIoSocket s) {
        Members m = members.get(room);
        if (m != null && m.remove(s) && m.isEmpty()) {
            members.remove(room);
        }
    }

    /** The members of {@code room} (empty if none), read-only. */
    Collection<SocketIoSocket> members(String room) {
        Members m = members.get(room);
        return m == null ? Set.of() : m.view();
    }

    /** The members of {@code room} for an emit (see {@link Members#snapshot()}); do not write into it. */
    SocketIoSocket[] snapshot(String room) {
        Members m = members.get(room);
        return m == null ? NONE : m.snapshot();
    }

    /** The rooms that have members. */
    Set<String> names() {
        return Set.copyOf(members.keySet());
    }
}
