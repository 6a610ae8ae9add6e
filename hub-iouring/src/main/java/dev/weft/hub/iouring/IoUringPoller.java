package dev.weft.hub.iouring;

import dev.weft.hub.unix.UnixHandle;
import dev.weft.hub.unix.UnixPoller;
import dev.weft.hub.unix.UnixRegistration;
import dev.weft.hub.unix.UnixStreamHandle;
import io.netty.channel.unix.Socket;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import java.io.IOException;

/**
 * A poller on Netty's {@link IoUringIoHandler}, driven directly from the hub thread: readiness
 * through the ring. Every wait of a handle is one one-shot {@code IORING_OP_POLL_ADD} (see {@link
 * PollRegistration}); a stream's reads and writes complete in the ring ({@link RingStreamHandle}; heap
 * buffers through {@link LentChunks}); accepts and connects stay the non-blocking system calls the
 * shared Unix handles make. The polls a loop iteration queues go to the kernel together in the one
 * {@code io_uring_enter} that also waits.
 *
 * <p>Thread rule: all methods except {@link #wakeup()} on the loop thread, which is also the only
 * thread allowed to submit to this ring (Netty sets it up single-issuer).
 *
 * <p>Implementation notes: the submission queue holds {@value #SUBMISSION_ENTRIES} entries and the
 * completion queue {@value #COMPLETION_ENTRIES}, sized for 10,000 connections per hub, each with a
 * read and a write poll in flight and both completing in one iteration (Netty's default completion
 * queue of 4,096 overflowed at 10,000 connections: nothing is lost, but the kernel then keeps the
 * overflow on a slow list). A full submission queue is submitted at once by Netty, inside the call
 * that found it full.
 */
final class IoUringPoller extends UnixPoller {
    static final int SUBMISSION_ENTRIES = 4096;
    static final int COMPLETION_ENTRIES = 32768;

    private final LentChunks chunks;

    IoUringPoller() {
        this(LentChunks.fromProperty());
    }

    /** A poller lending at most {@code chunks.max()} direct chunks to heap-buffer operations. */
    IoUringPoller(LentChunks chunks) {
        super("io_uring", IoUringIoHandler.newFactory(new IoUringIoHandlerConfig()
                .setRingSize(SUBMISSION_ENTRIES).setCqSize(COMPLETION_ENTRIES)));
        this.chunks = chunks;
    }

    /** The direct chunks heap-buffer receives and sends borrow while in flight. */
    LentChunks chunks() {
        return chunks;
    }

    @Override
    protected UnixRegistration register(UnixHandle handle) throws IOException {
        PollRegistration poll = new PollRegistration(this, handle);
        IoRegistration registration;
        try {
            registration = handler().register(poll);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("io_uring registration failed: " + e.getMessage(), e);
        }
        poll.registered(registration);
        return poll;
    }

    /** Streams here read and write by completion too ({@link RingStreamHandle}). */
    @Override
    protected UnixStreamHandle newStream(Socket socket, byte[] acceptedPeer) throws IOException {
        return new RingStreamHandle(this, socket, acceptedPeer);
    }

    /**
     * Submits what is queued (a close) and handles what completed, now (see {@link UnixPoller#pollNow()});
     * false if it could not run (closed, or called from inside the poll, which then submits it).
     */
    boolean submitNow() {
        return pollNow();
    }

    /** Runs {@code handle}'s callbacks for a completed poll (from inside {@link #poll}). */
    void completed(UnixHandle handle, boolean readable, boolean writable, boolean hangup) {
        dispatch(handle, readable, writable, hangup);
    }
}
