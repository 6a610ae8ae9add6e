package dev.weft.socketio;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Sockets of one hub in the order they joined (a room's members, or a namespace's sockets), with a
 * snapshot for emits: an array made at the first {@link #snapshot()} after a change and reused until
 * the next change, so an emit to a room whose members stay put copies nothing.
 *
 * <p>An emit walks the snapshot, so a join or leave during the walk (a recipient whose outbox is full
 * is disconnected and leaves its rooms in the middle of it) changes the set, not the walk: a socket
 * that left is still walked and ignores the packet (it is no longer connected), one that joined gets
 * the next emit.
 *
 * <p>Thread rule: the hub it belongs to.
 */
final class Members {
    private static final SocketIoSocket[] NONE = new SocketIoSocket[0];
    private final Set<SocketIoSocket> set = new LinkedHashSet<>();
    /** The members as of the last change, or null if it changed since the last {@link #snapshot()}. */
    private SocketIoSocket[] snapshot = NONE;

    boolean add(SocketIoSocket s) {
        if (!set.add(s)) {
            return false;
        }
        snapshot = null;
        return true;
    }

    boolean remove(SocketIoSocket s) {
        if (!set.remove(s)) {
            return false;
        }
        snapshot = null;
        return true;
    }

    boolean isEmpty() {
        return set.isEmpty();
    }

    /** The members now, read-only (it changes with them). */
    Collection<SocketIoSocket> view() {
        return Collections.unmodifiableSet(set);
    }

    /** The members now, in join order: the same array until the membership changes. Do not write into it. */
    SocketIoSocket[] snapshot() {
        SocketIoSocket[] s = snapshot;
        if (s == null) {
            s = set.toArray(NONE);
            snapshot = s;
        }
        return s;
    }
}
