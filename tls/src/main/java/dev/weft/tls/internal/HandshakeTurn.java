package dev.weft.tls.internal;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Semaphore;

/**
 * One hub's turn for TLS handshake computation: at most one connection of the hub computes a
 * handshake step at a time (the engine and its delegated tasks, wraps and unwraps), first come,
 * first served within two lines (below), every fiber runnable when a step ends running before the
 * next step, and a connection gives the turn up whenever it waits for its peer. So the fibers that
 * became runnable meanwhile, the connections already established among them, run between two steps:
 * a burst of new connections adds about one step to their latency instead of the whole burst's. A
 * peer that stalls never holds the turn (it is
 * given up before every read, and while a handshake flight waits for the peer to take it).
 *
 * <p>Order: two lines, each first come, first served. A connection whose peer has answered (it is
 * {@link #takeToContinue continuing} a handshake it started: a TLS 1.3 client's Finished, a TLS 1.2
 * client's key exchange) goes before every connection that has not started yet ({@link #take}). A
 * step that finishes a handshake is cheap next to a first step (the key exchange and the signature),
 * and a connection that waits in the middle of its handshake holds the engine's whole handshake state
 * in the heap: served in arrival order alone, the Finished of a burst's first connection waited
 * behind every ClientHello of the burst, all 1,000 handshakes of a burst were half-done at once, and
 * their live state overflowed the young generation's survivor space at each collection (promoted to
 * the old generation, 3-5 MB per collection). Continuing first, a burst's connections finish as they
 * go, as with Netty's {@code SslHandler}, which computes each step as soon as its bytes arrive.
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
    /** Connections continuing a handshake; served first. Their permits are only ever handed over. */
    private final Semaphore continuing = new Semaphore(0);
    /** Connections starting one. */
    private final Semaphore starting = new Semaphore(0);
    private final Runnable passOnSoon = this::passOn;
    /** Held, or handed to a waiter, or about to be (a pass-on is queued): a newcomer waits. */
    private boolean busy;
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
     * Takes the turn to start a handshake, after the connections that asked before (and after every
     * connection continuing one); a kill or an enclosing timeout ends the wait, holding nothing.
     * Nothing if the calling fiber has it already.
     *
     * @return whether this call took it (the caller then {@link #give()}s it back)
     */
    public boolean take() {
        return take(starting);
    }

    /**
     * Takes the turn to continue a handshake whose peer has answered: before every connection that
     * is starting one (see the class comment). Otherwise as {@link #take()}.
     */
    public boolean takeToContinue() {
        return take(continuing);
    }

    private boolean take(Semaphore line) {
        Fiber<?> me = Fiber.current();
        if (holder == me) {
            return false;
        }
        if (!busy) {
            busy = true;
        } else {
            try {
                line.acquire();
            } catch (Throwable t) {
                // Handed the turn, then killed or timed out before resuming: the semaphore passed it
                // to the next fiber of this line, or, if none, left it free there. Pass that one on.
                if (line.tryAcquire()) {
                    passOn();
                }
                throw t;
            }
        }
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
            hub.loop().callSoon(passOnSoon);
        }
    }

    /** Hands the (busy, unheld) turn to the first connection continuing a handshake, else starting one, else frees it. */
    private void passOn() {
        if (continuing.waiting() > 0) {
            continuing.release();
        } else if (starting.waiting() > 0) {
            starting.release();
        } else {
            busy = false;
        }
    }

    /** Whether the calling fiber has the turn. */
    public boolean isHeld() {
        return holder == Fiber.current();
    }

    /** Connections waiting for the turn now. */
    public int waiting() {
        return continuing.waiting() + starting.waiting();
    }
}
