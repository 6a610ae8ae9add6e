package dev.weft.hub.iouring;

import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.PendingIo;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.unix.UnixStreamHandle;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoOps;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A TCP connection on io_uring whose reads and writes go through the ring as {@code IORING_OP_RECV} /
 * {@code IORING_OP_SEND} ({@link CompletionStreamHandle}): a direct buffer's memory directly, a heap
 * buffer's through a direct chunk the poller lends ({@link LentChunks}: a heap array may move while
 * the kernel writes; a receive is copied into the heap buffer at its completion, a send is copied into
 * the chunk first). Connects and everything else, a heap write of more than one chunk (bulk: the
 * readiness path moves 64 KiB per system call) and any heap operation while every chunk is lent take
 * the readiness path of {@link UnixStreamHandle} (a one-shot poll, then the system call through a
 * scratch buffer).
 *
 * <p>Thread rule: loop thread only (the ring is single-issuer).
 *
 * <p>Implementation notes: at most one receive and one send in flight ({@link PollRegistration}
 * keeps them, fills a heap receive's buffer, gives its chunk back and completes their {@link
 * PendingIo} from its completion handler, also after a cancel or a close: the kernel owns the memory
 * until then, and the waiting fiber waits for that completion whatever interrupts it). A receive
 * after one that came back short (the socket was drained) goes with {@code RECVSEND_POLL_FIRST}: the
 * kernel waits for data before trying, instead of a failed attempt first. An idle connection's
 * parked heap read holds its chunk: past the cap, further idle readers use polls, which hold none.
 */
final class RingStreamHandle extends UnixStreamHandle implements CompletionStreamHandle {
    private final IoUringPoller poller;
    private final PollRegistration ring;
    private final int fd;
    /** The length the last receive asked for, to tell whether it drained the socket. */
    private int lastAsked;

    RingStreamHandle(IoUringPoller poller, Socket socket, byte[] acceptedPeer) throws IOException {
        super(poller, socket, acceptedPeer);
        this.poller = poller;
        this.ring = (PollRegistration) registration();
        this.fd = socket.intValue();
    }

    @Override
    public boolean submitRead(ByteBuffer buf, PendingIo io) throws IOException {
        checkOpen("CompletionStreamHandle.submitRead");
        int want = buf.remaining();
        if (want == 0) {
            throw new IllegalArgumentException("submitRead into a buffer without room (a zero-length receive would look"
                    + " like the end of the stream)");
        }
        if (buf.isReadOnly()) {
            return false; // the readiness path throws ReadOnlyBufferException, as on every backend
        }
        boolean drained = lastAsked > 0 && io.result() >= 0 && io.result() < lastAsked;
        if (buf.isDirect()) {
            ring.submitOperation(PollRegistration.READ, RingOps.recv(fd, Buffer.memoryAddress(buf) + buf.position(), want,
                    drained, (short) 0), io, buf, null, null, 0);
            lastAsked = want;
            return true;
        }
        ByteBuffer chunk = poller.chunks().lend();
        if (chunk == null) {
            return false;
        }
        int length = Math.min(want, chunk.capacity());
        submitWithChunk(PollRegistration.READ, RingOps.recv(fd, Buffer.memoryAddress(chunk), length, drained, (short) 0),
                io, chunk, buf);
        lastAsked = length;
        return true;
    }

    @Override
    public boolean submitWrite(ByteBuffer buf, PendingIo io) throws IOException {
        checkOpen("CompletionStreamHandle.submitWrite");
        if (outputShut()) {
            throw SocketErrors.outputShutdown();
        }
        if (buf.isDirect()) {
            ring.submitOperation(PollRegistration.WRITE, RingOps.send(fd, Buffer.memoryAddress(buf) + buf.position(),
                    buf.remaining(), (short) 1), io, buf, null, null, 0);
            return true;
        }
        int length = buf.remaining();
        if (length > LentChunks.CHUNK_BYTES) {
            return false; // bulk: the readiness path moves up to 64 KiB per system call, a chunk 16 KiB per loop iteration
        }
        ByteBuffer chunk = poller.chunks().lend();
        if (chunk == null) {
            return false;
        }
        chunk.put(0, buf, buf.position(), length);
        submitWithChunk(PollRegistration.WRITE, RingOps.send(fd, Buffer.memoryAddress(chunk), length, (short) 1), io,
                chunk, null);
        return true;
    }

    /** Submits {@code ops} on a lent {@code chunk}; the chunk goes back at once if the submit fails. */
    private void submitWithChunk(int d, IoUringIoOps ops, PendingIo io, ByteBuffer chunk, ByteBuffer heapTarget) {
        boolean submitted = false;
        try {
            ring.submitOperation(d, ops, io, chunk, chunk, heapTarget, heapTarget == null ? 0 : heapTarget.position());
            submitted = true;
        } finally {
            if (!submitted) {
                poller.chunks().giveBack(chunk);
            }
        }
    }

    @Override
    public void cancel(PendingIo io) {
        ring.cancelOperation(io);
    }

    @Override
    public void completeWithoutParking(PendingIo io) {
        ring.cancelOperation(io);
        while (io.inFlight()) {
            if (!poller.submitNow()) {
                throw new IllegalStateException("the io_uring poller of " + this + " cannot run now (closed, or called"
                        + " from inside its own poll) while an operation is in flight: " + io);
            }
        }
    }

    @Override
    public IOException failure(int result, String what) {
        return streamFailure(what, result);
    }
}
