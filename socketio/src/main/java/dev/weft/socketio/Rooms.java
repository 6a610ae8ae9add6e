package dev.weft.socketio;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
    private final Map<String, Set<SocketIoSocket>> members = new HashMap<>();

    void add(String room, SocketIoSocket s) {
        members.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(s);
    }

    void remove(String room, SocketIoSocket s) {
        Set<SocketIoSocket> m = members.get(room);
        if (m != null && m.remove(s) && m.isEmpty()) {
            members.remove(room);
        }
    }

    /** The members of {@code room} (empty if none). */
    Collection<SocketIoSocket> members(String room) {
        Set<SocketIoSocket> m = members.get(room);
        return m == null ? Set.of() : m;
    }

    /** The rooms that have members. */
    Set<String> names() {
        return Set.copyOf(members.keySet());
    }
}
