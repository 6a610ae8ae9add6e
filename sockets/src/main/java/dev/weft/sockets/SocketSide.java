package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.WrongThreadException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One direction of a socket (reading or writing): which fiber uses it now, and how it waits for
 * readiness. Enforces one reader and one writer at a time, with a message naming the owner.
 * Hub thread only.
 */
final class SocketSide {
    private final int op;
    private final String doing;
    private Fiber<?> owner;

    SocketSide(int op) {
        this.op = op;
        this.doing = op == Ops.READ ? "reading" : "writing";
    }

    /**
     * Claims this side for the current fiber; {@link IllegalStateException} naming the owner if taken.
     * Checks the thread first: a socket of {@code hub} used from another thread (another hub's fiber)
     * gets {@link WrongThreadException} before anything is touched (no bytes moved, no budget spent).
     */
    Fiber<?> enter(Hub hub, Object socket) {
        checkThread(hub, socket);
        Fiber<?> me = Fiber.current();
        if (owner != null && owner != me) {
            throw new IllegalStateException("fiber " + owner + " is already " + doing + " " + socket + "; fiber " + me
                    + " cannot " + (op == Ops.READ ? "read" : "write") + " it at the same time (data would interleave)."
                    + " Let one fiber own each direction and hand it work through a Queue.");
        }
        owner = me;
        return me;
    }

    /** Throws {@link WrongThreadException} unless the caller runs on {@code hub}'s thread. */
    static void checkThread(Hub hub, Object socket) {
        if (Thread.currentThread() != hub.thread()) {
            throw new WrongThreadException(String.valueOf(socket), hub.thread(), Thread.currentThread(),
                    "Use a socket only in fibers of the hub that opened it; hand the work to that hub"
                            + " (hub.execute, a queue it reads) instead.");
        }
    }

    void exit() {
        owner = null;
    }

    /**
     * Parks until the handle may be ready for this side's direction, or {@code deadline}
     * ({@link System#nanoTime()}, {@link dev.weft.fibers.Deadlines#NONE} for none). A deadline that
     * has passed still goes through the hub once (a retry loop on a zero timeout cannot starve it).
     *
     * @param whose what set the deadline, for the message ("the socket's timeout")
     * @param limit its duration, for the message
     * @throws SocketTimeoutException if the deadline passes first (nothing was transferred)
     * @throws SocketClosedException  if the socket was closed meanwhile
     */
    void await(Hub hub, IoHandle handle, long deadline, String whose, Duration limit, ClosedBy socket)
            throws IOException {
        if (!hub.awaitIo(handle, op, deadline)) {
            throw timedOut(whose, limit, socket);
        }
        if (!handle.isOpen()) {
            throw closed(socket, socket.closedBy());
        }
    }

    /** The exception of a wait of this side that {@code whose} timeout ({@code limit}) ended. */
    SocketTimeoutException timedOut(String whose, Duration limit, Object socket) {
        return new SocketTimeoutException(doing + " " + socket + " timed out (" + limit(whose, limit)
                + "); nothing was lost, the socket is still usable");
    }

    SocketClosedException closed(Object socket, String closedBy) {
        return new SocketClosedException(socket + " was closed" + (closedBy == null ? "" : " by " + closedBy)
                + " while fiber " + Fiber.current() + " was " + doing + " it");
    }

    /** Who is closing a socket, for {@link SocketClosedException}s: the running fiber, or the hub. */
    static String closer() {
        try {
            return "fiber " + Fiber.current();
        } catch (IllegalStateException outsideAFiber) {
            return "the hub";
        }
    }

    /** "the socket's timeout of 100 ms": how a timeout names itself in a {@link SocketTimeoutException}. */
    static String limit(String whose, Duration timeout) {
        return timeout == null ? whose + " (none)" : whose + " of " + millis(timeout) + " ms";
    }

    /** Whole milliseconds of {@code timeout}, saturating (never an {@link ArithmeticException}). */
    static long millis(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
