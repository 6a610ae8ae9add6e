package dev.weft.tls.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run TLS handshake tasks (key agreement, signing, certificate checks) off the
 * hubs: CPU-bound work, so one thread per CPU the hub does not use ({@link #SPARE_CPUS}), never
 * more. More threads than CPUs only share the same CPUs, and with them the locks those tasks take
 * (the JDK's {@code SecureRandom}): measured with 32 offload threads on a server with one CPU, a
 * burst of 1,000 handshakes waited 1.35 s per task on average. Tasks wait in one FIFO queue.
 * Shared by every hub of the JVM; the threads are daemons named {@code weft-tls-handshake-N} and end
 * after 30 s without work.
 *
 * <p>Thread rule: any thread.
 */
public final class HandshakeWorkers {
    /** CPUs this JVM may use besides the hub's own; 0 on a machine (or a CPU set) of one. */
    public static final int SPARE_CPUS = Runtime.getRuntime().availableProcessors() - 1;

    private static final ExecutorService POOL = pool();

    private HandshakeWorkers() {
    }

    private static ExecutorService pool() {
        int threads = Math.max(1, SPARE_CPUS);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor e = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "weft-tls-handshake-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /** Runs {@code task} on a worker; the future completes when it has run (or failed). */
    public static CompletableFuture<Void> run(Runnable task) {
        return CompletableFuture.runAsync(task, POOL);
    }
}
