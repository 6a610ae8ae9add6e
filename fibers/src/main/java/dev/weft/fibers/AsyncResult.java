package dev.weft.fibers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * A value or an exception that arrives later, possibly from another thread: fibers of its hub
 * {@linkplain #get() wait} for it; anyone {@linkplain #set completes} it, once.
 *
 * <p>Thread rule: {@link #set}, {@link #setException} and {@link #isDone()} may be called from any
 * thread — this is the thread-safe way for other threads to hand a result to fibers. Completing from
 * another thread queues the wake-up on the hub ({@link Hub#execute}-style), so waiters run on the hub
 * thread as always. {@code get}, {@code await} and the other queries are for fibers of the hub that
 * created it. Waiters wake in FIFO order.
 *
 * <p>Memory consistency effects: actions in a thread before it completes the result happen-before
 * a fiber's successful return from {@code get} or {@code await}.
 *
 * <p>Blocked-forever detection: the hub cannot know whether some other thread still holds the
 * result and will complete it, so a fiber waiting here is never reported as blocked forever; use a
 * timeout if completion is not certain. Completing after the hub has shut down stores the outcome
 * (for {@link #isDone()}) and wakes nobody.
 *
 * @param <T> the value type
 */
public final class AsyncResult<T> extends WaitList implements Waitable {
    private static final int PENDING = 0;
    /** The first completion (from any thread) claimed it; later completions fail. */
    private static final int CLAIMED = 1;
    /** The outcome is published: {@link #value} and {@link #error} are final from here on. */
    private static final int DONE = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(AsyncResult.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Hub hub;
    /**
     * {@link #PENDING}, {@link #CLAIMED} or {@link #DONE}: claimed by compare-and-set, published
     * with a release write and read with an acquire read (the value and error written before the
     * release are seen by whoever reads DONE). One field in the result itself: no second object to
     * allocate per result and no full fence per completion.
     */
    @SuppressWarnings("unused") // through STATE
    private int state;
    private T value;
    private Throwable error;

    /** A pending result bound to the current hub. Hub thread. */
    public AsyncResult() {
        this.hub = Hub.current();
    }

    /**
     * Completes the result with {@code value} and wakes the fibers waiting for it. Any thread.
     *
     * @throws IllegalStateException if it was already completed
     */
    public void set(T value) {
        complete(value, null);
    }

    /**
     * Completes the result with {@code failure}, which {@link #get()} throws. Any thread.
     *
     * @throws IllegalStateException if it was already completed
     */
    public void setException(Throwable failure) {
        complete(null, Objects.requireNonNull(failure, "failure"));
    }

    private void complete(T v, Throwable t) {
        if (!STATE.compareAndSet(this, PENDING, CLAIMED)) {
            throw new IllegalStateException("this AsyncResult is already completed; it can be completed only once");
        }
        if (hub.loop.isLoopThread()) {
            publish(v, t);
            return;
        }
        try {
            hub.loop.execute(() -> publish(v, t));
        } catch (RejectedExecutionException hubClosed) {
            value = v;
            error = t;
            STATE.setRelease(this, DONE);
        }
    }

    private void publish(T v, Throwable t) {
        value = v;
        error = t;
        STATE.setRelease(this, DONE);
        FiberCore f;
        while ((f = pollFirst()) != null) {
            f.unpark();
        }
    }

    /** Whether the outcome is in (visible to fibers of the hub). Any thread. */
    public boolean isDone() {
        return (int) STATE.getAcquire(this) == DONE;
    }

    /** Whether it completed with a value (not an exception). */
    public boolean isSuccess() {
        return isDone() && error == null;
    }

    /** The exception it completed with, or null (also while pending). */
    public Throwable exception() {
        return isDone() ? error : null;
    }

    /**
     * Waits for the outcome and returns the value, or throws the exception it completed with.
     * Blocks the calling fiber until one of these happens: it completes, the fiber is killed
     * ({@link FiberKilledError}), or an enclosing {@link Timeout} expires ({@link FiberTimeoutException}).
     *
     * @throws RuntimeException or Error the failure as set; a checked one, or a
     *         {@link FiberTimeoutException} (another fiber's timeout), wrapped in {@link CompletionException}
     */
    public T get() {
        awaitUntil(Long.MAX_VALUE);
        return outcome();
    }

    /**
     * {@link #get()} for at most {@code timeout}.
     *
     * @throws FiberTimeoutException if the timeout passes first (as {@link Fiber#get(Duration)} does)
     */
    public T get(Duration timeout) {
        try (Timeout t = Timeout.internal(timeout, "AsyncResult.get")) {
            awaitUntil(Long.MAX_VALUE);
        }
        return outcome();
    }

    /**
     * Waits for the outcome without throwing it.
     *
     * @return true once it is done, false if {@code timeout} passed first
     */
    public boolean await(Duration timeout) {
        return awaitUntil(Deadlines.after(timeout));
    }

    private T outcome() {
        Throwable t = error;
        if (t == null) {
            return value;
        }
        if (t instanceof FiberTimeoutException) {
            // another fiber's timeout, handed over: not the caller's own (see Fiber#get)
            throw new CompletionException("the result failed with another fiber's timeout: " + t, t);
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new CompletionException(t);
    }

    private boolean awaitUntil(long deadline) {
        if (isDone()) {
            hub.checkThread("AsyncResult.get");
            return true;
        }
        FiberCore me = hub.runningFiber("AsyncResult.get");
        addLast(me);
        hub.loop.ref(); // another thread may complete it: never "blocked forever"
        try {
            while (!isDone()) {
                if (!me.parkUntil(this, deadline) && !isDone()) {
                    return false;
                }
            }
            return true;
        } finally {
            hub.loop.unref();
            if (!isDone()) {
                remove(me);
            }
        }
    }

    @Override
    public String toString() {
        return "AsyncResult(" + (isDone() ? (error == null ? "value" : "failed: " + error) : "pending") + ")";
    }

    // ---------------------------------------------------------------- issue 14 (gevent API): Waitable

    /** Whether the outcome is in ({@link #isDone()}): a {@link Waitable} wait on it returns. */
    @Override
    public boolean isReady() {
        return isDone();
    }

    Hub hub() {
        return hub;
    }

    /**
     * Adds a fiber woken (and dropped) when the outcome is published, and holds a keep-alive (another
     * thread may complete it) until {@link #removeWaiter}; for {@link WaitMany}. Calls come in pairs.
     */
    void addWaiter(FiberCore f) {
        addLast(f);
        hub.loop.ref();
    }

    void removeWaiter(FiberCore f) {
        remove(f);
        hub.loop.unref();
    }
}
