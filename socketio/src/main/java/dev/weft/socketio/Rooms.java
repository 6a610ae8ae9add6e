package dev.weft.socketio;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A namespace's rooms on one hub: room name to its member sockets. The registry is per hub by
 * design (no locks, every socket of a hub's clients is here); a room spanning hubs or processes is
 * a {@link Broadcast} that this hub fans out locally and hands to the other registries (see {@link
 * Namespace#remoteFanOut}).
 *
 * <p>Thread rule: the server's hub.
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
