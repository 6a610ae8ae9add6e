package dev.weft.sockets;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Hub;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's pool of platform threads for calls that must block (a JDBC driver, a file system, the
 * system resolver): {@link #offload} runs the call there while the calling fiber parks and the hub
 * keeps running its other fibers. One pool per hub, created on first use and shut down when the
 * hub closes; its threads are daemons named {@code weft-offload-<hub thread>-N}; at most {@value
 * #DEFAULT_THREADS} run at once unless {@code -Dweft.offload.threads} says otherwise, and further
 * calls queue.
 *
 * <p>Thread rule: {@link #offload} from a fiber of the hub; the call itself runs on a pool thread.
 *
 * <p>Memory consistency effects: actions in the fiber before {@code offload} happen-before the call
 * runs; actions of the call happen-before {@code offload} returns.
 */
public final class ThreadPool {
    static final int DEFAULT_THREADS = 32;
    private static final Map<Hub, ThreadPool> POOLS = new ConcurrentHashMap<>();

    private final ThreadPoolExecutor executor;

    private ThreadPool(Hub hub) {
        int threads = Integer.getInteger("weft.offload.threads", DEFAULT_THREADS);
        String prefix = "weft-offload-" + hub.thread().getName() + "-";
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
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
                created.executor.shutdown();
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
     * dev.weft.fibers.FiberTimeoutException}) and the call is <em>not</em> interrupted: it runs to its
     * end on the pool thread and its result or exception is dropped. Make such calls idempotent, or
     * give them their own timeout.
     *
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static <T> T offload(Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        ThreadPool pool = current();
        AsyncResult<T> result = new AsyncResult<>();
        pool.executor.execute(() -> {
            try {
                result.set(call.call());
            } catch (Throwable t) {
                result.setException(t);
            }
        });
        try {
            return result.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception checked) {
                throw checked;
            }
            throw e;
        }
    }
}
