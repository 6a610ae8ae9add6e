package dev.weft.fibers;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.PendingIo;

/**
 * A fiber's wait for a submitted I/O operation that owns memory until the kernel completes it
 * ({@link Hub#awaitCompletion}): a kill, an expired {@link Timeout} or the deadline cancels the
 * operation, and the fiber then waits for the completion without unwinding, so its buffer is never
 * released, reused or freed while the kernel may still write into it or read from it.
 *
 * <p>Thread rule: hub thread, in the waiting fiber.
 *
 * <p>Implementation notes: the uninterruptible part parks with the fiber's pending interruptions set
 * aside (a kill or a timeout that arrives meanwhile wakes it and is set aside too), and puts them all
 * back when the operation has completed: the caller then throws them. In practice it lasts one loop
 * iteration: a cancel of a socket operation parked in the kernel completes within the next {@code
 * io_uring_enter}. A fiber that cannot switch (pinned: a critical section, a class initializer, a
 * native frame) has its operation finished without parking ({@link
 * CompletionStreamHandle#completeWithoutParking}): its own result if it won the race with the cancel,
 * else {@link FiberPinnedException} with nothing moved and nothing left in flight.
 */
final class CompletionWait {
    private CompletionWait() {
    }

    /**
     * See {@link Hub#awaitCompletion}; the loop reference is the caller's.
     *
     * @throws FiberPinnedException if the fiber cannot switch and the operation was cancelled before it
     *                              moved anything (it is no longer in flight)
     */
    static boolean await(FiberCore f, CompletionStreamHandle handle, PendingIo io, long deadline) {
        io.waiter(f.waker());
        try {
            while (io.inFlight()) {
                boolean woken;
                try {
                    woken = f.parkUntil(handle, deadline); // the dump shows the socket and its peer
                } catch (FiberPinnedException pinned) {
                    // Could not switch: the operation is submitted but nothing can wait for it. Finish it
                    // here; if it completed anyway, that is this call's result.
                    handle.completeWithoutParking(io);
                    if (io.result() == PendingIo.CANCELLED) {
                        throw pinned;
                    }
                    return true;
                } catch (Throwable interrupted) {
                    finishCancelled(f, handle, io);
                    throw interrupted;
                }
                if (!woken && io.inFlight()) {
                    finishCancelled(f, handle, io);
                    if (f.interrupts != 0) {
                        f.throwInterrupt(); // a kill or Timeout that came during the wait wins over the deadline
                    }
                    return false;
                }
            }
            return true;
        } finally {
            io.waiter(null);
        }
    }

    /** Cancels {@code io} if it is still in flight and waits for its completion without unwinding. */
    private static void finishCancelled(FiberCore f, CompletionStreamHandle handle, PendingIo io) {
        if (!io.inFlight()) {
            return;
        }
        handle.cancel(io);
        byte setAside = f.interrupts;
        try {
            while (io.inFlight()) {
                f.interrupts = 0;
                try {
                    park(f, handle);
                } catch (FiberPinnedException pinned) {
                    handle.completeWithoutParking(io); // the caller throws what interrupted it
                }
                setAside |= f.interrupts;
            }
        } finally {
            f.interrupts |= setAside;
        }
    }

    /** One switch to the hub with nothing to throw on return (the fiber's interruptions are set aside). */
    private static void park(FiberCore f, CompletionStreamHandle handle) {
        f.state = FiberState.WAITING;
        f.blocker = handle;
        f.hub.current = null;
        boolean switched = false;
        try {
            switched = FiberContinuation.suspend();
        } finally {
            if (!switched) { // pinned, or the JVM could not freeze the stack: the fiber never left
                f.hub.current = f;
                f.state = FiberState.RUNNING;
                f.blocker = null;
            }
        }
        if (!switched) {
            throw new FiberPinnedException(FiberContinuation.takePinnedReason());
        }
        f.resumed();
    }
}
