package dev.weft.sockets;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's pool of platform threads for calls that must block (a JDBC driver, a file system, the
 * system resolver): {@link #offload} runs the call there while the calling fiber parks and the hub
 * keeps running its other fibers. One pool per hub, created on first use and shut down when the
 * hub closes; its threads are daemons named {@code weft-offload-<hub thread>-N}.
 *
 * <p>Limits: at most {@value #DEFAULT_THREADS} calls run at once ({@code -Dweft.offload.threads});
 * at most {@value #DEFAULT_QUEUE} more wait in its queue ({@code -Dweft.offload.queue}). When the
 * queue is full, {@code offload} fails at once with a {@link RejectedExecutionException} that names
 * the limit and the property (it does not wait: a full queue means the blocking work arrives faster
 * than it is done, and waiting would only hide that; bound the callers with a
 * {@link dev.weft.fibers.Semaphore} if bursts are expected).
 *
 * <p>Thread rule: {@link #offload} from a fiber of the hub; the call itself runs on a pool thread.
 *
 * <p>Memory consistency effects: actions in the fiber before {@code offload} happen-before the call
 * runs; actions of the call happen-before {@code offload} returns.
 */
public final class ThreadPool {
    static final int DEFAULT_THREADS = 32;
    static final int DEFAULT_QUEUE = 10_000;
    private static final Map<Hub, ThreadPool> POOLS = new ConcurrentHashMap<>();

    private final Hub hub;
    private final ThreadPoolExecutor executor;
    private final int queueLimit;

    private ThreadPool(Hub hub) {
        this.hub = hub;
        int threads = positive("weft.offload.threads", DEFAULT_THREADS);
        this.queueLimit = positive("weft.offload.queue", DEFAULT_QUEUE);
        String prefix = "weft-offload-" + hub.thread().getName() + "-";
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(queueLimit), factory);
        executor.allowCoreThreadTimeOut(true);
    }

    private static int positive(String property, int fallback) {
        int v = Integer.getInteger(property, fallback);
        if (v < 1) {
            throw new IllegalArgumentException("-D" + property + " must be at least 1, not " + v);
        }
        return v;
    }

    /** The pool of the current fiber's hub. Hub thread. */
    static ThreadPool current() {
        Hub hub = Hub.current();
        ThreadPool pool = POOLS.get(hub);
        if (pool == null) {
            pool = new ThreadPool(hub);
            POOLS.put(hub, pool);
            ThreadPool created = pool;
            hub.onClose(() -> {
                POOLS.remove(hub);
                created.close();
            });
        }
        return pool;
    }

    /**
     * Runs {@code call} on the hub's pool and parks the calling fiber until it returns; returns its
     * result or throws its exception as is (checked ones too).
     *
     * <p>If the calling fiber is killed or an enclosing {@link dev.weft.fibers.Timeout} expires while
     * it waits, {@code offload} throws at once ({@link dev.weft.fibers.FiberKilledError}, {@link
     * dev.weft.fibers.FiberTimeoutException}). A call that has not started yet is then withdrawn from
     * the queue and never runs; a call that has started is <em>not</em> interrupted: it runs to its
     * end on the pool thread and its result or exception is dropped. Make such calls idempotent, or
     * give them their own timeout. When the hub closes, it kills its fibers, so no call of theirs
     * starts after {@code Hub.run} has returned.
     *
     * <p>On a simulated hub (the {@code sim} backend) there is no pool thread: the call runs as a
     * simulated event on the hub thread (see {@code SimulatedOffload}).
     *
     * @throws dev.weft.fibers.NotInFiberException outside a fiber (before anything runs)
     * @throws RejectedExecutionException if the pool's queue is full (see the class comment)
     */
    public static <T> T offload(Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        Fiber.current(); // NotInFiberException before the call is queued
        Hub hub = Hub.current();
        if (hub.loop().isSimulated()) {
            return SimulatedOffload.offload(hub, call);
        }
        ThreadPool pool = current();
        OffloadedCall<T> task = new OffloadedCall<>(call, new AsyncResult<>());
        pool.submit(task);
        try {
            return task.result.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception checked) {
                throw checked;
            }
            throw e;
        } finally {
            if (!task.result.isDone()) {
                task.withdraw(pool.executor); // killed or timed out while it waited
            }
        }
    }

    private void submit(OffloadedCall<?> task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                throw new RejectedExecutionException("ThreadPool.offload: the pool of the hub on thread '"
                        + hub.thread().getName() + "' is shut down (the hub is closing)", e);
            }
            throw new RejectedExecutionException("ThreadPool.offload: the queue of the hub's pool is full ("
                    + queueLimit + " calls waiting, " + executor.getActiveCount() + " running). Raise"
                    + " -Dweft.offload.queue=" + queueLimit + " (or -Dweft.offload.threads), or bound how many"
                    + " fibers offload at once with a Semaphore.", e);
        }
    }

    /** At hub close: withdraws whatever still waits (nothing starts after the hub is gone), then shuts down. */
    private void close() {
        List<Runnable> left = new ArrayList<>();
        executor.getQueue().drainTo(left);
        for (Runnable r : left) {
            ((OffloadedCall<?>) r).withdraw(executor);
        }
        executor.shutdown();
    }
}
