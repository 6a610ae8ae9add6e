package dev.weft.tls.internal;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Semaphore;

/**
 * One hub's turn for TLS handshake computation: at most one connection of the hub computes a
 * handshake step at a time (the engine and its delegated tasks, wraps and unwraps), in the order the
 * connections asked (FIFO), at most one step per turn of the event loop, and a connection gives the
 * turn up whenever it waits for its peer. So the fibers that became runnable meanwhile, the
 * connections already established among them, run between two steps: a burst of new connections
 * adds about one step to their latency instead of the whole burst's. And the connections of a burst
 * finish in the order they came, not all at the end. A peer that stalls never holds the turn (it is
 * given up before every read, and while a handshake flight waits for the peer to take it).
 *
 * <p>Implementation notes: the fibers of one hub run one at a time, so a step that does not park
 * excludes the others anyway; what the turn adds is the order. Without it, every connection whose
 * data arrived is runnable, each runs its step when the ready queue reaches it, and an established
 * connection woken by the same poll waits behind all of them (measured: 1.2 s behind a burst of 1,000
 * handshakes). With it, a given-up turn goes back only through a zero-delay timer, which fires
 * after the current batch of callbacks, just before the loop polls for I/O: the next connection
 * waiting gets the turn then, and the fibers that poll makes runnable queue behind that one step.
 */
public final class HandshakeTurn {
    private static final ThreadLocal<HandshakeTurn> PER_HUB = new ThreadLocal<>();

    private final Hub hub = Hub.current();
    private final Semaphore semaphore = new Semaphore(1);
    private final Runnable releaseOnTimer = semaphore::release;
    private Fiber<?> holder;

    private HandshakeTurn() {
    }

    /** The turn of the hub running the calling fiber (a thread may run one hub after another). */
    public static HandshakeTurn ofThisHub() {
        HandshakeTurn t = PER_HUB.get();
        if (t == null || t.hub != Hub.current()) {
            t = new HandshakeTurn();
            PER_HUB.set(t);
        }
        return t;
    }

    /**
     * Takes the turn, waiting for the connections that asked before (a kill or an enclosing timeout
     * ends the wait, holding nothing); nothing if the calling fiber has it already.
     *
     * @return whether this call took it (the caller then {@link #give()}s it back)
     */
    public boolean take() {
        Fiber<?> me = Fiber.current();
        if (holder == me) {
            return false;
        }
        semaphore.acquire();
        holder = me;
        return true;
    }

    /**
     * Gives the turn up, if the calling fiber has it: the next connection waiting gets it once the
     * loop has run the callbacks queued meanwhile (see the class comment).
     */
    public void give() {
        if (holder == Fiber.current()) {
            holder = null;
            hub.loop().schedule(0, releaseOnTimer);
        }
    }

    /** Whether the calling fiber has the turn. */
    public boolean isHeld() {
        return holder == Fiber.current();
    }

    /** Connections waiting for the turn now. */
    public int waiting() {
        return semaphore.waiting();
    }
}
