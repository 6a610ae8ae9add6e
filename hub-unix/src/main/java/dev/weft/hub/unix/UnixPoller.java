package dev.weft.hub.unix;

import dev.weft.hub.DatagramHandle;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Poller;
import dev.weft.hub.StreamHandle;
import dev.weft.hub.WrongThreadException;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the epoll, kqueue and io_uring pollers share: a Netty {@link IoHandler} driven directly from the loop
 * thread (no Netty event loop or task queue in between), the thread check, the socket factory over
 * Netty's {@link Socket}, the set of open handles, and the per-poller direct buffer through which
 * heap buffers are copied (Netty's socket calls take direct memory only). A backend adds only how a
 * handle is registered and how the handler's events map to read/write readiness.
 *
 * <p>Thread rule: all methods except {@link #wakeup()} on the loop thread (the thread that
 * constructed it).
 *
 * <p>Implementation notes: the poll deadline goes to Netty as an absolute {@link System#nanoTime()}
 * value through {@link IoHandlerContext}; Netty's handlers arm a timer (epoll's timerfd, kqueue's
 * timeout) with it, so waits shorter than a millisecond are honoured. Work the handler gives its
 * executor (it does so only from other threads) runs after the next poll.
 */
public abstract class UnixPoller implements Poller {
    /** Size of the direct scratch buffer: the most one heap-buffer read or write moves per call. */
    static final int SCRATCH_BYTES = 64 * 1024;

    private final Thread thread = Thread.currentThread();
    private final String name;
    private final IoHandler handler;
    private final WaitContext context = new WaitContext();
    private final ConcurrentLinkedQueue<Runnable> handlerTasks = new ConcurrentLinkedQueue<>();
    private int callbacks;
    /** The open handles, closed with the poller (an identity set: ~13 bytes per connection, a LinkedHashSet's ~46). */
    private final Set<UnixHandle> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private boolean closed;
    /** How many times the handler ran (polls and {@link #pollNow()}s): a handle's "since the last poll". */
    private long runs;
    /** True while the handler runs (see {@link #pollNow()}). */
    private boolean inHandler;

    /** Creates the handler from {@code factory} on the calling thread, which becomes the loop thread. */
    protected UnixPoller(String name, IoHandlerFactory factory) {
        this.name = name;
        this.handler = factory.newHandler(new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread t) {
                return t == thread;
            }

            @Override
            public void execute(Runnable task) {
                handlerTasks.add(task);
                if (Thread.currentThread() != thread) {
                    wakeup();
                }
            }
        });
        handler.initialize();
    }

    /**
     * Registers {@code handle}'s descriptor with {@link #handler()} once, for reads and writes,
     * edge-triggered; the events go to {@link #dispatch}.
     */
    protected abstract UnixRegistration register(UnixHandle handle) throws IOException;

    /** The Netty handler, for {@link #register}. */
    protected final IoHandler handler() {
        return handler;
    }

    /**
     * Called from the handler's events: runs {@code handle}'s callbacks for the ready directions;
     * {@code hangup} when the event says the peer shut down or the socket failed.
     */
    protected final void dispatch(UnixHandle handle, boolean readable, boolean writable, boolean hangup) {
        callbacks += handle.ready(readable, writable, hangup);
    }

    @Override
    public final String backendName() {
        return name;
    }

    @Override
    public final int poll(long timeoutNanos) {
        checkThread("Poller.poll");
        callbacks = 0;
        context.set(timeoutNanos);
        runs++;
        inHandler = true;
        try {
            handler.run(context);
        } finally {
            inHandler = false;
            // A wake-up that arrived during this poll is spent: this poll returns. (One that races this
            // write was made for a task queued before it; the loop runs queued tasks before it polls again.)
            context.wakeRequested = false;
        }
        for (Runnable t; (t = handlerTasks.poll()) != null; ) {
            t.run();
        }
        return callbacks;
    }

    /**
     * Runs the handler once more, now and without waiting: what the backend queued goes to the kernel,
     * and the completions already there are handled (their callbacks run; the fibers they wake run
     * after the current one, as always). For a backend whose descriptor closes through its submission
     * queue, so that a closed socket's port and peer see the close at once, as with {@code close(2)}.
     * Does nothing and returns false when called from inside the handler (that run submits it) or once
     * closed. Loop thread.
     */
    protected final boolean pollNow() {
        if (inHandler || closed) {
            return false;
        }
        runs++;
        inHandler = true;
        try {
            handler.run(NOW);
        } finally {
            inHandler = false;
        }
        return true;
    }

    /** A non-blocking run of the handler, for {@link #pollNow()}. */
    private static final IoHandlerContext NOW = new IoHandlerContext() {
        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return 0;
        }

        @Override
        public long deadlineNanos() {
            return -1;
        }
    };

    /**
     * Makes a blocked or the next poll return promptly. Netty's handlers write their wake-up
     * descriptor only while a wait is armed; a wake-up that comes before the handler arms it is
     * remembered here instead, and {@link IoHandlerContext#canBlock()}, which the handler asks again
     * right before it blocks, then answers false.
     */
    @Override
    public final void wakeup() {
        context.wakeRequested = true;
        handler.wakeup();
    }

    @Override
    public StreamHandle openStream(ProtocolFamily family) throws IOException {
        checkThread("Poller.openStream");
        checkFamily(family);
        return newStream(Socket.newSocketStream(), null);
    }

    /**
     * Makes the handle of a stream socket: one to connect ({@code acceptedPeer} null) or one a
     * listener accepted (the peer in Netty's encoding). A backend overrides it to add to the handle
     * (io_uring: reads and writes by completion). Loop thread.
     */
    protected UnixStreamHandle newStream(Socket socket, byte[] acceptedPeer) throws IOException {
        return new UnixStreamHandle(this, socket, acceptedPeer);
    }

    /**
     * Registers a connection another poller of this backend accepted ({@link
     * UnixListenerHandle#acceptUnowned()}), through {@link #newStream} as an accepted one.
     */
    @Override
    public final StreamHandle adopt(dev.weft.hub.AcceptedStream connection) throws IOException {
        checkThread("Poller.adopt");
        if (!(connection instanceof UnixAcceptedStream accepted) || !accepted.backendName().equals(backendName())) {
            throw new IllegalArgumentException("the " + backendName() + " backend cannot adopt a connection the "
                    + connection.backendName() + " backend accepted");
        }
        return newStream(new Socket(accepted.take()), accepted.peer()); // on failure the handle closes the descriptor
    }

    @Override
    public ListenerHandle openListener(ProtocolFamily family) throws IOException {
        checkThread("Poller.openListener");
        checkFamily(family);
        return new UnixListenerHandle(this, Socket.newSocketStream());
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        checkThread("Poller.openDatagram");
        checkFamily(family);
        return new UnixDatagramHandle(this, Socket.newSocketDgram());
    }

    /* Netty's sockets are IPv6 with IPv4-mapped addresses when the host prefers IPv6, IPv4 otherwise;
       both families connect and bind to IPv4 addresses either way. */
    private static void checkFamily(ProtocolFamily family) {
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("only INET and INET6 sockets, not " + family);
        }
    }

    /** Called by a new handle: registers it and remembers it for {@link #close()}. */
    final UnixRegistration registerHandle(UnixHandle handle) throws IOException {
        if (closed) {
            throw new IllegalStateException("this poller is closed");
        }
        UnixRegistration r = register(handle);
        open.add(handle);
        return r;
    }

    final void forget(UnixHandle handle) {
        open.remove(handle);
    }

    /** The direct buffer for heap-buffer copies, cleared. Loop thread; never held across a call. */
    /** How many times the handler has run so far (see {@link UnixHandle}'s skip after a short read). */
    final long runs() {
        return runs;
    }

    final ByteBuffer scratch() {
        return scratch.clear();
    }

    /** Throws {@link WrongThreadException} unless on the loop thread. */
    public final void checkThread(String what) {
        if (Thread.currentThread() != thread) {
            throw new WrongThreadException(what, thread, Thread.currentThread(),
                    "A socket belongs to the hub that opened it; use it only from that hub's fibers.");
        }
    }

    /** The loop thread. */
    protected final Thread thread() {
        return thread;
    }

    @Override
    public final void close() {
        checkThread("Poller.close");
        if (closed) {
            return;
        }
        for (UnixHandle h : new ArrayList<>(open)) {
            h.close();
        }
        closed = true;
        handler.prepareToDestroy();
        handler.destroy();
    }

    /**
     * The wait the handler is asked to do: non-blocking, until a deadline, or until woken.
     *
     * <p>Implementation notes: Netty 4.2's {@code EpollIoHandler.run} (and {@code KQueueIoHandler}'s)
     * arms its wake-up ({@code nextWakeupNanos}) and then calls {@link #canBlock()} once more right
     * before {@code epoll_wait}; {@code wakeup()} writes the eventfd only when that wake-up is armed.
     * So {@code canBlock()} must answer from live state: a {@link #wakeRequested} set since this poll
     * began means "do not block". An answer frozen at {@link #set} lost wake-ups (the hub slept with
     * a task queued: 2–5 in 300,000 cross-thread hand-offs).
     */
    private static final class WaitContext implements IoHandlerContext {
        private boolean canBlock;
        private long deadline;
        /** Set by {@link UnixPoller#wakeup()} from any thread; cleared when a poll ends. */
        volatile boolean wakeRequested;

        void set(long timeoutNanos) {
            canBlock = timeoutNanos != 0;
            // a non-blocking poll never reads the deadline: spare it the clock read
            deadline = timeoutNanos <= 0 ? -1 : System.nanoTime() + timeoutNanos;
        }

        @Override
        public boolean canBlock() {
            return canBlock && !wakeRequested;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return deadline < 0 ? Long.MAX_VALUE : Math.max(0, deadline - currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }
    }
}
