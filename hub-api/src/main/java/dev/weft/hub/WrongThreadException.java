package dev.weft.hub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thrown when an object bound to one event-loop thread (a hub, a fiber primitive, a socket) is
 * used from another thread. The message names both threads and the thread-safe way in; when the
 * caller runs an event loop itself (a fiber of another hub, as in a group of hubs), it says so:
 * objects of one hub are never shared with fibers of another.
 */
public final class WrongThreadException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** Threads that run an open event loop, with how many (a simulation may step several on one thread). */
    private static final Map<Thread, Integer> LOOP_THREADS = new ConcurrentHashMap<>();

    public WrongThreadException(String what, Thread owner, Thread caller, String instead) {
        super(LOOP_THREADS.containsKey(caller)
                ? what + " belongs to the hub thread '" + owner.getName() + "' but was used from a fiber of another hub,"
                        + " on thread '" + caller.getName() + "'. Objects of one hub (sockets, queues, locks, events,"
                        + " fibers) are not shared with fibers of another: fibers never move between hubs. Hand work"
                        + " across hubs with a SharedQueue, AsyncResult.set, Event.set or hub.submit(...). " + instead
                : what + " belongs to the hub thread '" + owner.getName() + "' but was used from thread '"
                        + caller.getName() + "'. " + instead);
    }

    static void loopOpened(Thread t) {
        LOOP_THREADS.merge(t, 1, Integer::sum);
    }

    static void loopClosed(Thread t) {
        LOOP_THREADS.computeIfPresent(t, (k, n) -> n == 1 ? null : n - 1);
    }
}
