package dev.weft.sockets;

import dev.weft.fibers.AsyncResult;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link ThreadPool#offload} call on its way through the pool: queued, then either started by a
 * pool thread or withdrawn by its caller (killed, timed out, or the hub closing), never both.
 *
 * <p>Thread rule: {@link #run()} on a pool thread; {@link #withdraw} on the hub thread.
 *
 * <p>Implementation notes: a {@code FutureTask} was weighed and not used: its {@code cancel(false)}
 * succeeds on a task that is already running, so it cannot tell "withdrawn before it started" from
 * "started, and will finish". One compare-and-set on {@link #state} decides which side wins.
 */
final class OffloadedCall<T> implements Runnable {
    private static final int QUEUED = 0;
    private static final int STARTED = 1;
    private static final int WITHDRAWN = 2;

    private final Callable<T> call;
    final AsyncResult<T> result;
    private final AtomicInteger state = new AtomicInteger(QUEUED);

    OffloadedCall(Callable<T> call, AsyncResult<T> result) {
        this.call = call;
        this.result = result;
    }

    /** Runs the call and completes {@link #result}, unless it was withdrawn first. Pool thread. */
    @Override
    public void run() {
        if (!state.compareAndSet(QUEUED, STARTED)) {
            return;
        }
        T value;
        try {
            value = call.call();
        } catch (Throwable t) {
            result.setException(t);
            return;
        }
        result.set(value);
    }

    /**
     * Withdraws the call if no pool thread has started it, and takes it out of {@code pool}'s queue.
     *
     * @return true if it was withdrawn (it will never run); false if it had started
     */
    boolean withdraw(ThreadPoolExecutor pool) {
        if (state.compareAndSet(QUEUED, WITHDRAWN)) {
            pool.remove(this);
            return true;
        }
        return state.get() == WITHDRAWN;
    }
}
