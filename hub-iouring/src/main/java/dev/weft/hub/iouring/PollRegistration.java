package dev.weft.hub.iouring;

import dev.weft.hub.Ops;
import dev.weft.hub.PendingIo;
import dev.weft.hub.unix.UnixHandle;
import dev.weft.hub.unix.UnixRegistration;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.channel.unix.Socket;
import java.nio.ByteBuffer;

/**
 * One handle's registration with the ring: a one-shot {@code POLL_ADD} per armed callback, an
 * {@code ASYNC_CANCEL} when a callback is cancelled, and a close that goes through the ring while any
 * of its operations is in flight.
 *
 * <p>Thread rule: loop thread only (Netty calls {@link #handle} from inside the poll).
 *
 * <p>Implementation notes:
 * <ul>
 * <li>A poll is level-triggered when it is armed: data that came between the caller's short read and
 *     its await completes the poll at once, so the shared "try, then await after would-block"
 *     protocol stays correct. Nothing is polled while no callback is armed, so a handle here skips
 *     the read after a short one only while the poller has not run since (a server that answered a
 *     request and reads the next goes straight to its poll), and never a write ({@link
 *     #reportsWhileUnarmed()}).</li>
 * <li>At most one live poll per direction. Each carries a fresh tag (generation and direction), so a
 *     completion of a poll that was cancelled (the cancel can lose the race and the poll completes
 *     with its ready bits) is told apart from the live one's and ignored: the live one reports for
 *     itself.</li>
 * <li>A poll that fails (a negative result) wakes its waiter as a hang-up would: the retried system
 *     call then reports the error.</li>
 * <li>Close: {@code close(2)} on a descriptor with a poll in flight leaves the poll armed and the
 *     connection open (the peer sees no FIN, and a cancel by descriptor then fails with EBADF). So
 *     while anything is in flight the close is the live polls' cancels followed by {@code
 *     IORING_OP_CLOSE}, in that order in the ring; the number is released only when the close runs,
 *     so no queued entry can reach a new socket that reuses it. The ring runs them at once (one
 *     non-blocking {@code io_uring_enter}), so that the port is free and the peer sees the end of
 *     stream when {@code close()} returns, as with {@code close(2)}; from inside the poll itself
 *     they go with that poll's own submission. With nothing in flight it is a plain {@code close(2)}. Netty's {@link Socket} wrapper is then dropped without its own close
 *     (which would close the number again).</li>
 * </ul>
 */
final class PollRegistration implements UnixRegistration, IoUringIoHandle {
    static final int READ = 0;
    static final int WRITE = 1;
    private static final int[] MASKS = {RingOps.POLLIN | RingOps.POLLRDHUP, RingOps.POLLOUT};
    private static final int ENDED = RingOps.POLLERR | RingOps.POLLHUP | RingOps.POLLRDHUP;
    /** A tag is {@code generation << 1 | direction}; 14 bits of generation keep it a positive short. */
    private static final int GENERATIONS = 1 << 14;
    private static final short NO_TAG = -1;

    private final IoUringPoller poller;
    private final UnixHandle handle;
    private final int fd;
    private IoRegistration registration;
    /** Per direction: what {@code submit} returned for the live poll (0: none), and its tag. */
    private final long[] liveId = new long[2];
    private final short[] liveTag = {NO_TAG, NO_TAG};
    private int generation;
    /** Per direction: the receive or send in flight for a {@link RingStreamHandle} (null: none), and its id for a cancel (0: cancel sent). */
    private final PendingIo[] op = new PendingIo[2];
    private final long[] opId = new long[2];
    /** Per direction: the chunk lent to a heap buffer's operation in flight (null: none, or a direct buffer). */
    private final ByteBuffer[] lent = new ByteBuffer[2];
    /** The heap buffer a receive into a lent chunk fills at its completion, and where. */
    private ByteBuffer readTarget;
    private int readTargetAt;
    /** Operations submitted whose completion has not come yet (polls, receives, sends, cancels, the close). */
    private int inFlight;
    private boolean closed;

    PollRegistration(IoUringPoller poller, UnixHandle handle) {
        this.poller = poller;
        this.handle = handle;
        this.fd = handle.socket().intValue();
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
    }

    /** False: nothing is polled while no callback is armed, so no event would end a skip (see {@code UnixHandle.readSkipped}). */
    @Override
    public boolean reportsWhileUnarmed() {
        return false;
    }

    @Override
    public void armed(int op) {
        int d = direction(op);
        if (liveId[d] != 0) {
            return; // the poll in flight reports for this wait too
        }
        generation = (generation + 1) & (GENERATIONS - 1);
        short tag = (short) (generation << 1 | d);
        long id = registration.submit(RingOps.pollAdd(fd, MASKS[d], tag));
        if (id == 0) {
            throw new IllegalStateException("the io_uring registration of " + handle + " is no longer valid");
        }
        liveId[d] = id;
        liveTag[d] = tag;
        inFlight++;
    }

    @Override
    public void disarmed(int op) {
        cancelLive(direction(op));
    }

    private void cancelLive(int d) {
        long id = liveId[d];
        if (id != 0) {
            liveId[d] = 0;
            liveTag[d] = NO_TAG;
            submit(RingOps.cancel(id, (short) d));
        }
    }

    /**
     * Submits a receive or a send ({@code ops}, direction {@code d}) for {@code io}, which from now on
     * owns {@code buffer} until the operation's completion ({@link PendingIo#begin}). For a heap
     * buffer, {@code chunk} is the direct chunk {@code ops} points into (lent by {@link LentChunks},
     * given back at the completion) and {@code heapTarget} the heap buffer a receive's bytes are
     * copied into at {@code targetAt} when it completes (null for a send); both null for a direct buffer.
     *
     * @throws IllegalStateException if {@code io} or another operation of that direction is in flight, or
     *                               the registration is no longer valid (the handle closed); the chunk is
     *                               then still the caller's
     */
    void submitOperation(int d, IoUringIoOps ops, PendingIo io, ByteBuffer buffer, ByteBuffer chunk,
            ByteBuffer heapTarget, int targetAt) {
        if (io.inFlight() || op[d] != null) {
            throw new IllegalStateException("a " + (d == READ ? "receive" : "send") + " is already in flight on " + handle
                    + ": one reader and one writer at a time");
        }
        long id = registration.submit(ops);
        if (id == 0) {
            throw new IllegalStateException("the io_uring registration of " + handle + " is no longer valid");
        }
        io.begin(buffer);
        op[d] = io;
        opId[d] = id;
        lent[d] = chunk;
        if (d == READ) {
            readTarget = heapTarget;
            readTargetAt = targetAt;
        }
        inFlight++;
    }

    /** Asks the kernel to cancel {@code io} if it is this handle's operation in flight and not cancelled yet. */
    void cancelOperation(PendingIo io) {
        for (int d = READ; d <= WRITE; d++) {
            if (op[d] == io && opId[d] != 0) {
                cancelOperation(d);
            }
        }
    }

    private void cancelOperation(int d) {
        long id = opId[d];
        if (id != 0) {
            opId[d] = 0;
            submit(RingOps.cancel(id, (short) (2 + d)));
        }
    }

    private void submit(IoUringIoOps ops) {
        if (registration.submit(ops) != 0) {
            inFlight++;
        }
    }

    @Override
    public void close(Socket socket) {
        if (closed) {
            return;
        }
        closed = true;
        if (inFlight == 0) {
            UnixRegistration.super.close(socket);
            return;
        }
        try {
            cancelLive(READ);
            cancelLive(WRITE);
            cancelOperation(READ);
            cancelOperation(WRITE);
            submit(RingOps.close(fd, (short) 0));
        } finally {
            registration.cancel();
        }
        poller.submitNow();
    }

    @Override
    public void cancel() {
        registration.cancel();
    }

    /** A completion of one of this handle's operations (Netty reuses {@code event}: not kept). */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        inFlight--;
        byte opcode = e.opcode();
        if (opcode == RingOps.OP_RECV || opcode == RingOps.OP_SEND) {
            // Always delivered, closed or not: the waiting fiber owns the buffer again only now.
            int d = opcode == RingOps.OP_RECV ? READ : WRITE;
            PendingIo io = op[d];
            op[d] = null;
            opId[d] = 0;
            ByteBuffer chunk = lent[d];
            if (chunk != null) {
                lent[d] = null;
                returnChunk(d, chunk, e.res());
            }
            if (io != null) {
                io.complete(e.res());
            }
            return;
        }
        if (closed || opcode != RingOps.OP_POLL_ADD) {
            return; // a cancel's or the close's own result, or a poll ended by the close
        }
        short tag = (short) e.userData();
        int d = tag & 1;
        if (liveId[d] == 0 || liveTag[d] != tag) {
            return; // a cancelled poll that completed anyway
        }
        liveId[d] = 0;
        liveTag[d] = NO_TAG;
        int res = e.res();
        boolean ended = res < 0 || (res & ENDED) != 0;
        poller.completed(handle, d == READ, d == WRITE, ended);
    }

    /**
     * The kernel is done with {@code chunk}: a receive's bytes (also one that won the race with a
     * cancel: its waiter keeps them) go into the heap buffer, then the chunk goes back to the pool.
     */
    private void returnChunk(int d, ByteBuffer chunk, int res) {
        try {
            if (d == READ) {
                ByteBuffer target = readTarget;
                readTarget = null;
                if (res > 0) {
                    target.put(readTargetAt, chunk, 0, res);
                }
            }
        } finally {
            poller.chunks().giveBack(chunk);
        }
    }

    /** Netty closes what is still registered when the ring is torn down: the handle's own close. */
    @Override
    public void close() {
        handle.close();
    }

    private static int direction(int op) {
        if (op == Ops.READ) {
            return READ;
        }
        if (op == Ops.WRITE) {
            return WRITE;
        }
        throw new IllegalArgumentException("a poll for Ops.READ or Ops.WRITE, not " + Ops.toString(op));
    }

    @Override
    public String toString() {
        return "PollRegistration(fd " + fd + ", in flight " + inFlight + (closed ? ", closed)" : ")");
    }
}
