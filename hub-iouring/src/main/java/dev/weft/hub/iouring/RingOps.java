package dev.weft.hub.iouring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * The submission entries this backend puts into the ring, and the kernel constants they need.
 * Netty 4.2.18 keeps its own copies of the constants ({@code io.netty.channel.uring.Native}) and every
 * {@code IoUringIoOps.newXxx} factory package-private; only the 13-argument {@link IoUringIoOps}
 * constructor is public. The values are the kernel's UAPI ({@code include/uapi/linux/io_uring.h},
 * {@code poll.h}, {@code errno.h}): stable by definition.
 *
 * <p>Thread rule: any thread (pure functions).
 */
final class RingOps {
    static final byte OP_POLL_ADD = 6;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CLOSE = 19;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;

    /** {@code IORING_RECVSEND_POLL_FIRST} (5.19; ignored before): arm the internal poll before trying the receive. */
    static final short RECVSEND_POLL_FIRST = 1;
    /** {@code MSG_NOSIGNAL}: a send to a peer that has gone fails with EPIPE instead of raising SIGPIPE. */
    static final int MSG_NOSIGNAL = 0x4000;

    static final int POLLIN = 0x1;
    static final int POLLOUT = 0x4;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLRDHUP = 0x2000;

    /** {@code -ECANCELED}: the result of an operation that an {@code ASYNC_CANCEL} stopped. */
    static final int CANCELLED = -125;

    private RingOps() {
    }

    /**
     * A one-shot poll of {@code fd} for {@code mask}; it completes once with the ready bits (or a
     * negative errno). {@code tag} comes back with the completion; it must fit a short so that Netty
     * packs it into the user data (no lookup table).
     */
    static IoUringIoOps pollAdd(int fd, int mask, short tag) {
        return new IoUringIoOps(OP_POLL_ADD, (byte) 0, (short) 0, fd, 0, 0, 0, mask, tag, (short) 0, (short) 0, 0, 0);
    }

    /**
     * A receive of up to {@code length} bytes into native memory at {@code address}; it completes once
     * with the byte count (0: end of stream) or a negative errno. {@code pollFirst} when the last
     * receive drained the socket: the kernel then waits for data before its first attempt.
     */
    static IoUringIoOps recv(int fd, long address, int length, boolean pollFirst, short tag) {
        return new IoUringIoOps(OP_RECV, (byte) 0, pollFirst ? RECVSEND_POLL_FIRST : 0, fd, 0, address, length, 0, tag,
                (short) 0, (short) 0, 0, 0);
    }

    /** A send of {@code length} bytes from native memory at {@code address}; completes with the count sent (may be fewer). */
    static IoUringIoOps send(int fd, long address, int length, short tag) {
        return new IoUringIoOps(OP_SEND, (byte) 0, (short) 0, fd, 0, address, length, MSG_NOSIGNAL, tag, (short) 0,
                (short) 0, 0, 0);
    }

    /** Cancels the operation whose {@code IoRegistration.submit} returned {@code target} (matched by user data). */
    static IoUringIoOps cancel(long target, short tag) {
        return new IoUringIoOps(OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, target, 0, 0, tag, (short) 0, (short) 0, 0, 0);
    }

    /** Closes {@code fd} when the ring reaches this entry: after the entries queued before it. */
    static IoUringIoOps close(int fd, short tag) {
        return new IoUringIoOps(OP_CLOSE, (byte) 0, (short) 0, fd, 0, 0, 0, 0, tag, (short) 0, (short) 0, 0, 0);
    }
}
