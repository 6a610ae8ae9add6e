package dev.weft.tls.internal;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Semaphore;

/**
 * One hub's turn for TLS handshake computation: at most one connection of the hub computes a
 * handshake step at a time (the engine and its delegated tasks, wraps and unwraps), in the order the
 * connections asked (FIFO), every fiber runnable when a step ends running before the next step, and
 * a connection gives the turn up whenever it waits for its peer. So the fibers that became runnable meanwhile, the
 * connections already established among them, run between two steps: a burst of new connections
 * adds about one step to their latency instead of the whole burst's. And the connections of a burst
 * finish in the order they came, not all at the end. A peer that stalls never holds the turn (it is
 * given up before every read, and while a handshake flight waits for the peer to take it).
 *
 * <p>Implementation notes: the fibers of one hub run one at a time, so a step that does not park
 * excludes the others anyway; what the turn adds is the order. Without it, every connection whose
 * data arrived is runnable, each runs its step when the ready queue reaches it, and an established
 * connection woken by the same poll waits behind all of them (measured: 1.2 s behind a burst of 1,000
 * handshakes). With it, a given-up turn goes back through a callback queued behind every fiber that
 * is runnable at that moment: those run first (the connections that have not asked for the turn yet
 * ask and queue for it, the established ones are served), then the next connection waiting gets the
 * turn. The loop ends a batch of callbacks after about a millisecond and polls for I/O, so fibers
 * woken by I/O meanwhile wait for at most one step plus that. (A zero-delay timer is not enough: the
 * loop fires timers after each bounded batch, and when one step outlasts the batch, the fibers still
 * queued from the same poll, the established ones among them, would each wait behind the next step.)
 */
public final class HandshakeTurn {
    private static final ThreadLocal<HandshakeTurn> PER_HUB = new ThreadLocal<>();

    private final Hub hub = Hub.current();
    private final Semaphore semaphore = new Semaphore(1);
    private final Runnable release = semaphore::release;
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
            hub.loop().callSoon(release);
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
