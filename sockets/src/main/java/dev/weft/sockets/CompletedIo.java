package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.FiberPinnedException;
import dev.weft.fibers.Hub;
import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.PendingIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The completion path of a {@link TcpSocket} on a backend whose handle completes reads and writes in
 * the kernel ({@link CompletionStreamHandle}, io_uring): a read submits the receive (into a direct
 * buffer itself, into memory the backend lends for a heap buffer, copied at the completion) and parks
 * until the kernel's completion, with no would-block and no readiness wake-up; a write the same for a
 * send. What the readiness path promises holds here too:
 * <ul>
 * <li>A kill or an enclosing {@link dev.weft.fibers.Timeout} while parked cancels the operation and
 *     waits for its completion before it is thrown ({@link Hub#awaitCompletion}): the buffer is never
 *     touched by the kernel afterwards. Bytes a cancelled receive got anyway are kept here and
 *     returned by the next read (the interrupted read read nothing); bytes a cancelled send sent anyway
 *     advance the buffer's position before the throw (they are on the wire).</li>
 * <li>The socket's timeout: the same cancel; a receive or send that completed meanwhile is returned
 *     as a success, otherwise {@link java.net.SocketTimeoutException}, nothing moved.</li>
 * <li>A close while parked completes the operation with {@code -ECANCELED} (or its own result, if
 *     it won the race): {@link SocketClosedException} naming the closer, as on the readiness path,
 *     and a send's position counts what it sent.</li>
 * </ul>
 * A fiber that cannot switch (pinned) gets its operation finished without parking: its result if it
 * completed at once, else the readiness path's answer (what is there, or {@link
 * dev.weft.fibers.FiberPinnedException}), as on every other backend.
 * A buffer the handle does not take by completion (a heap buffer when the backend has no memory to
 * lend it, a large heap write), a zero or expired timeout (which a submitted operation cannot honour:
 * its completion comes with the next poll at the earliest), empty buffers, and a fiber with an
 * interruption pending ({@link Hub#interruptionPending}: a kill already thrown stays pending) take
 * the readiness path ({@link #NOT_TAKEN}). The last because a submitted operation always parks, and
 * the park throws: a killed fiber's cleanup (a JDBC driver's goodbye message before it closes its
 * socket) would fail on a write the socket takes at once, and skip the close; on the readiness path,
 * as on every other backend, that write completes and only a wait throws.
 *
 * <p>Thread rule: the socket's hub thread, in the fiber that holds the socket's reading (writing) side.
 */
final class CompletedIo {
    /** Returned when the call is not for this path: the caller takes the readiness path. */
    static final int NOT_TAKEN = Integer.MIN_VALUE;
    /** {@code -ECANCELED}: the operation was cancelled before it moved anything. */
    private static final int CANCELLED = PendingIo.CANCELLED;

    private final Hub hub;
    private final CompletionStreamHandle handle;
    /** One receive and one send at a time (the sides guarantee it); made on first use. */
    private PendingIo receive;
    private PendingIo send;
    /** Bytes a cancelled receive got anyway, for the next read; null when none. */
    private ByteBuffer kept;

    CompletedIo(Hub hub, CompletionStreamHandle handle) {
        this.hub = hub;
        this.handle = handle;
    }

    /**
     * Reads into {@code dst} by completion: bytes read, -1 at end of stream, or {@link #NOT_TAKEN}.
     * Bytes kept from an interrupted receive come first, without a system call.
     */
    int read(ByteBuffer dst, long deadline, String whose, Duration limit, TcpSocket socket, SocketSide side)
            throws IOException {
        if (kept != null && dst.hasRemaining()) {
            return takeKept(dst);
        }
        if (!dst.hasRemaining() || expired(deadline) || hub.interruptionPending()) {
            return NOT_TAKEN;
        }
        PendingIo io = receive == null ? (receive = new PendingIo()) : receive;
        int pos = dst.position();
        if (!handle.submitRead(dst, io)) {
            return NOT_TAKEN;
        }
        boolean done;
        try {
            done = hub.awaitCompletion(handle, io, deadline);
        } catch (FiberPinnedException pinned) {
            return NOT_TAKEN; // cancelled before it read anything: the readiness path reads what is there, or throws
        } catch (Throwable interrupted) {
            keep(dst, pos, io.result());
            throw interrupted;
        }
        int r = io.result();
        if (!handle.isOpen()) { // closed while parked: as on the readiness path, what came meanwhile is not read
            throw side.closed(socket, socket.closedBy());
        }
        if (r > 0) {
            dst.position(pos + r);
            return r;
        }
        if (!done && r == CANCELLED) {
            throw side.timedOut(whose, limit, socket);
        }
        if (r == 0) {
            return -1;
        }
        throw handle.failure(r, "read");
    }

    /** Writes from {@code src} by completion: bytes written (&gt; 0), or {@link #NOT_TAKEN}. */
    int write(ByteBuffer src, long deadline, String whose, Duration limit, TcpSocket socket, SocketSide side)
            throws IOException {
        if (!src.hasRemaining() || expired(deadline) || hub.interruptionPending()) {
            return NOT_TAKEN;
        }
        PendingIo io = send == null ? (send = new PendingIo()) : send;
        int pos = src.position();
        if (!handle.submitWrite(src, io)) {
            return NOT_TAKEN;
        }
        boolean done;
        try {
            done = hub.awaitCompletion(handle, io, deadline);
        } catch (FiberPinnedException pinned) {
            return NOT_TAKEN; // cancelled before it sent anything: the readiness path writes what fits, or throws
        } catch (Throwable interrupted) {
            if (io.result() > 0) {
                src.position(pos + io.result()); // sent before the cancel took effect: on the wire
            }
            throw interrupted;
        }
        int r = io.result();
        if (r > 0) {
            src.position(pos + r); // on the wire, closed or not
        }
        if (!handle.isOpen()) {
            throw side.closed(socket, socket.closedBy());
        }
        if (r > 0) {
            return r;
        }
        if (!done && r == CANCELLED) {
            throw side.timedOut(whose, limit, socket);
        }
        if (r == 0) {
            return 0; // a zero-byte send of a non-empty buffer: the caller's loop tries again
        }
        throw handle.failure(r, "write");
    }

    private static boolean expired(long deadline) {
        return deadline != Deadlines.NONE && deadline - System.nanoTime() <= 0;
    }

    /** Keeps {@code dst[pos, pos + n)} that an interrupted receive got (n &gt; 0); {@code dst}'s position stays. */
    private void keep(ByteBuffer dst, int pos, int n) {
        if (n <= 0) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(0, dst, pos, n);
        kept = copy;
    }

    private int takeKept(ByteBuffer dst) {
        int n = Math.min(kept.remaining(), dst.remaining());
        dst.put(dst.position(), kept, kept.position(), n).position(dst.position() + n);
        kept.position(kept.position() + n);
        if (!kept.hasRemaining()) {
            kept = null;
        }
        return n;
    }
}
