package dev.weft.hub.iouring;

import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.PendingIo;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.unix.UnixStreamHandle;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A TCP connection on io_uring whose reads and writes of direct buffers go through the ring as
 * {@code IORING_OP_RECV} / {@code IORING_OP_SEND} into the caller's memory ({@link
 * CompletionStreamHandle}); heap buffers, connects and everything else take the readiness path of
 * {@link UnixStreamHandle} (a one-shot poll, then the system call through a scratch buffer: a heap
 * array may move while the kernel writes, and lending each parked reader a direct chunk would pin
 * memory per idle connection).
 *
 * <p>Thread rule: loop thread only (the ring is single-issuer).
 *
 * <p>Implementation notes: at most one receive and one send in flight ({@link PollRegistration}
 * keeps them and completes their {@link PendingIo} from its completion handler, also after a close:
 * the kernel owns the buffer until then). A receive after one that came back short (the socket was
 * drained) goes with {@code RECVSEND_POLL_FIRST}: the kernel waits for data before trying, instead of
 * a failed attempt first.
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
        if (!buf.isDirect()) {
            return false;
        }
        int want = buf.remaining();
        if (want == 0) {
            throw new IllegalArgumentException("submitRead into a buffer without room (a zero-length receive would look"
                    + " like the end of the stream)");
        }
        boolean drained = lastAsked > 0 && io.result() >= 0 && io.result() < lastAsked;
        ring.submitOperation(PollRegistration.READ, RingOps.recv(fd, Buffer.memoryAddress(buf) + buf.position(), want,
                drained, (short) 0), io, buf);
        lastAsked = want;
        return true;
    }

    @Override
    public boolean submitWrite(ByteBuffer buf, PendingIo io) throws IOException {
        checkOpen("CompletionStreamHandle.submitWrite");
        if (outputShut()) {
            throw SocketErrors.outputShutdown();
        }
        if (!buf.isDirect()) {
            return false;
        }
        ring.submitOperation(PollRegistration.WRITE, RingOps.send(fd, Buffer.memoryAddress(buf) + buf.position(),
                buf.remaining(), (short) 1), io, buf);
        return true;
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
