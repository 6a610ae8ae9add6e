package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
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

    /** Claims this side for the current fiber; {@link IllegalStateException} naming the owner if taken. */
    Fiber<?> enter(Object socket) {
        Fiber<?> me = Fiber.current();
        if (owner != null && owner != me) {
            throw new IllegalStateException("fiber " + owner + " is already " + doing + " " + socket + "; fiber " + me
                    + " cannot " + (op == Ops.READ ? "read" : "write") + " it at the same time (data would interleave)."
                    + " Let one fiber own each direction and hand it work through a Queue.");
        }
        owner = me;
        return me;
    }

    void exit() {
        owner = null;
    }

    /**
     * Parks until the handle may be ready for this side's direction, or {@code deadline}
     * ({@link System#nanoTime()}, {@link Long#MAX_VALUE} for none).
     *
     * @throws SocketTimeoutException if the deadline passes first (nothing was transferred)
     * @throws SocketClosedException  if the socket was closed meanwhile
     */
    void await(Hub hub, IoHandle handle, long deadline, Duration timeout, ClosedBy socket)
            throws IOException {
        if (!hub.awaitIo(handle, op, deadline)) {
            throw new SocketTimeoutException(doing + " " + socket + " timed out after " + timeout.toMillis()
                    + " ms (the socket's timeout); nothing was lost, the socket is still usable");
        }
        if (!handle.isOpen()) {
            throw closed(socket, socket.closedBy());
        }
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

    /** A deadline {@code timeout} from now, or none. */
    static long deadline(Duration timeout) {
        if (timeout == null) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        try {
            long d = now + timeout.toNanos();
            return d < now ? Long.MAX_VALUE : d;
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
