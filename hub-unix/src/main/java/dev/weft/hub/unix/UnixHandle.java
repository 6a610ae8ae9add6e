package dev.weft.hub.unix;

import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.ReadinessCallbacks;
import dev.weft.hub.SocketErrors;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * What every handle over a Netty {@link Socket} shares: the one registration, the two one-shot
 * callbacks, the thread check, options and close.
 *
 * <p>Thread rule: loop thread only (see {@link IoHandle}).
 *
 * <p>Implementation notes: the descriptor is registered once, edge-triggered for both directions,
 * and never modified afterwards. An edge that arrives while no callback is armed is dropped, which
 * is safe because the SPI requires callers to try the operation first and to await only after it
 * said "would block" (so an edge that matters always comes after the await). A backend that polls
 * once per wait instead (io_uring) hears of each arming and cancel through its {@link
 * UnixRegistration} and closes the descriptor itself.
 */
public abstract class UnixHandle implements IoHandle {
    final UnixPoller poller;
    final Socket socket;
    private final UnixRegistration registration;
    private final ReadinessCallbacks callbacks = new ReadinessCallbacks();
    private boolean closed;
    /**
     * False once a read came back short (the kernel's receive queue was empty at that moment) and
     * until the next read event: with edge-triggered polling every later arrival raises an event,
     * so until then a read would only return EAGAIN and is skipped without a system call. The same
     * for writes and a full send queue. This saves the EAGAIN read that otherwise ends every read
     * burst (Netty does the same).
     */
    boolean mayRead = true;
    boolean mayWrite = true;
    /** A hang-up was reported: never skip a read again (see {@link #ready}). */
    private boolean inputEnded;
    /**
     * False where no event would end a skip ({@link UnixRegistration#reportsWhileUnarmed()}): there a
     * read skips only while the poller has not run since the short read ({@link #readSkipped()}).
     */
    private final boolean maySkip;
    /** The poller's run count at the last short read, where {@link #maySkip} is false. */
    private long drainedAtRun;

    UnixHandle(UnixPoller poller, Socket socket) throws IOException {
        this.poller = poller;
        this.socket = socket;
        try {
            this.registration = poller.registerHandle(this);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        this.maySkip = registration.reportsWhileUnarmed();
    }

    /** This handle's registration, made by the backend's {@link UnixPoller#register}. */
    protected final UnixRegistration registration() {
        return registration;
    }

    /** Throws {@link ClosedChannelException} if closed; checks the thread. For subclasses in backends. */
    protected final void checkOpen(String what) throws ClosedChannelException {
        ensureOpen(what);
    }

    /** The descriptor, for the backend's registration. */
    public final Socket socket() {
        return socket;
    }

    /**
     * Called by the backend from inside its poll: runs the armed callbacks for the directions that
     * may be ready. Errors and hang-ups count as both, so the waiter retries and sees them.
     *
     * @param hangup the peer shut its side down, or the socket failed (epoll's RDHUP/HUP/ERR, kqueue's
     *               EV_EOF): reads must go on until they see end-of-stream or the error, as no further
     *               event will announce it
     * @return how many callbacks ran
     */
    public final int ready(boolean readable, boolean writable, boolean hangup) {
        if (hangup) {
            inputEnded = true;
        }
        if (readable) {
            mayRead = true;
        }
        if (writable) {
            mayWrite = true;
        }
        return callbacks.fire(readable, writable);
    }

    @Override
    public final void await(int op, Runnable callback) {
        poller.checkThread("IoHandle.await");
        if (closed) {
            throw new IllegalStateException("await(" + Ops.toString(op) + ") on a closed socket");
        }
        callbacks.arm(op, callback);
        registration.armed(op);
    }

    @Override
    public final void cancelAwait(int op) {
        poller.checkThread("IoHandle.cancelAwait");
        if (callbacks.cancel(op)) {
            registration.disarmed(op);
        }
    }

    /** Throws {@link ClosedChannelException} if closed; checks the thread. */
    final void ensureOpen(String what) throws ClosedChannelException {
        poller.checkThread(what);
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /** A native read into {@code [pos, limit)} of a direct buffer (Netty's calls leave the position alone). */
    @FunctionalInterface
    interface NativeRead {
        int read(ByteBuffer direct, int pos, int limit) throws IOException;
    }

    /**
     * Reads into {@code dst} with {@code op}, through the poller's direct scratch buffer when {@code
     * dst} is a heap buffer, and advances {@code dst}'s position by what was read.
     */
    final int readInto(ByteBuffer dst, NativeRead op) throws IOException {
        int pos = dst.position();
        if (dst.isDirect()) {
            int want = dst.remaining();
            int n = op.read(dst, pos, dst.limit());
            if (n > 0) {
                dst.position(pos + n);
            }
            drained(n, want);
            return n;
        }
        ByteBuffer s = poller.scratch();
        int want = Math.min(dst.remaining(), s.capacity());
        int n = op.read(s, 0, want);
        if (n > 0) {
            dst.put(pos, s, 0, n).position(pos + n);
        }
        drained(n, want);
        return n;
    }

    /** After a read that asked for {@code want} and got {@code n}: whether the next read may skip (see {@link #mayRead}). */
    private void drained(int n, int want) {
        mayRead = inputEnded || n < 0 || n == want;
        if (!maySkip) {
            drainedAtRun = poller.runs();
        }
    }

    /**
     * Whether a read now would only find the receive queue empty, as the last short read did, and
     * may return 0 without a system call. With edge-triggered polling (epoll, kqueue) until the next
     * read event. Where nothing is polled while unarmed (io_uring's one-shot polls) only until the
     * poller runs again: a fiber that reads again in the same loop iteration (a server that answered a
     * request and reads the next) goes straight to its poll, which is level-triggered, so data that
     * came meanwhile completes it at once; after a poll it tries the kernel again (no event would
     * have told it that data came).
     */
    final boolean readSkipped() {
        if (mayRead) {
            return false;
        }
        if (maySkip || drainedAtRun == poller.runs()) {
            return true;
        }
        mayRead = true;
        return false;
    }

    /**
     * Writes from {@code src} with {@code op}, through the scratch buffer when {@code src} is a heap
     * buffer, and advances {@code src}'s position by what was written.
     */
    final int writeFrom(ByteBuffer src, NativeRead op) throws IOException {
        int pos = src.position();
        int n;
        int want;
        if (src.isDirect()) {
            want = src.remaining();
            n = op.read(src, pos, src.limit());
        } else {
            ByteBuffer s = poller.scratch();
            want = Math.min(src.remaining(), s.capacity());
            s.put(0, src, pos, want);
            n = op.read(s, 0, want);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        mayWrite = n == want || !maySkip;
        return n;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        ensureOpen("IoHandle.bind");
        try {
            socket.bind(local);
        } catch (IOException e) {
            throw SocketErrors.bindFailed(UnixErrors.reason(e), local, e);
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen("IoHandle.localAddress");
        return socket.localAddress();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen("IoHandle.setOption");
        UnixOptions.set(socket, supportedOptions(), option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen("IoHandle.getOption");
        return UnixOptions.get(socket, supportedOptions(), option);
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        poller.checkThread("IoHandle.close");
        if (closed) {
            return;
        }
        closed = true;
        poller.forget(this);
        registration.close(socket);
        ready(true, true, true);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(fd " + socket.intValue() + (closed ? ", closed)" : ")");
    }
}
