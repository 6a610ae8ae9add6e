package dev.weft.hub;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A stream whose reads and writes can complete in the kernel (io_uring): instead of "try, await
 * readiness, try again", the caller submits the operation into a buffer it owns and waits for its
 * {@link PendingIo} to complete. No would-block, no readiness wake-up, no second system call; the
 * submissions of one loop iteration go to the kernel together with the poll. The readiness methods
 * of {@link StreamHandle} keep working beside it (for what does not go through here).
 *
 * <p>Thread rule: loop thread only, as every handle. Ownership: from {@code submitRead}/{@code
 * submitWrite} until {@code io.inFlight()} turns false, the kernel owns {@code buf}'s bytes between
 * its position and limit: do not touch, reuse or free them meanwhile, whatever happens to the
 * waiting fiber (a kill or a timeout {@link #cancel}s the operation and then still waits for the
 * completion). Neither call moves {@code buf}'s position: the caller does, by the result.
 */
public interface CompletionStreamHandle extends StreamHandle {

    /**
     * Submits a receive into {@code buf[position, limit)}, which must have room. A heap buffer may be
     * taken too: the backend then receives into memory of its own and copies the bytes into {@code buf}
     * before the completion is reported. The result is the bytes received (at {@code buf[position,
     * position + result)}, which may be fewer than asked), 0 at the end of the stream, or a negative
     * errno ({@link #failure}). The operation goes to the kernel with the
     * loop's next poll; never blocks.
     *
     * @return false if this handle cannot take {@code buf} by completion now (a read-only buffer, or
     *         a heap buffer while the backend has no memory to lend it): use the readiness path
     *         ({@link #read}) for it instead
     * @throws java.nio.channels.ClosedChannelException if the handle is closed
     * @throws IllegalStateException if {@code io} is in flight
     */
    boolean submitRead(ByteBuffer buf, PendingIo io) throws IOException;

    /**
     * The same for a send of {@code buf[position, limit)}: the result is the bytes sent (may be fewer).
     * A heap buffer is copied into the backend's memory at the submit; false if it cannot be now.
     */
    boolean submitWrite(ByteBuffer buf, PendingIo io) throws IOException;

    /**
     * Asks the kernel to cancel {@code io} if it is in flight; it still completes ({@code -ECANCELED},
     * or its own result if it won the race). Does nothing if {@code io} is not in flight.
     */
    void cancel(PendingIo io);

    /**
     * For a caller that cannot park (a pinned fiber): cancels {@code io} if it is in flight and runs
     * the loop's poller without blocking, on this thread, until {@code io} has completed; completions
     * of other operations that come meanwhile are handled as in any poll (their waiters are woken).
     * Afterwards the caller owns the buffer again: {@link PendingIo#result()} is the operation's own
     * result if it won the race with the cancel, else {@link PendingIo#CANCELLED}. Never switches.
     */
    void completeWithoutParking(PendingIo io);

    /**
     * The {@code java.net} exception for a negative {@code result} of an operation of this handle, as
     * the readiness path throws it ({@link SocketErrors}: "Connection reset", "Broken pipe").
     *
     * @param what "read" or "write", for the message
     */
    IOException failure(int result, String what);
}
