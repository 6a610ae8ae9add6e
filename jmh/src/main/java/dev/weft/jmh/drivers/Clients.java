package dev.weft.jmh.drivers;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code concurrency} clients, each with its own connection, run by one of three runners: fibers on
 * one hub (the hub is the benchmark thread, entered once per batch), virtual threads, or a pool of
 * platform threads. {@link #runBatch} has every client do {@code perClient} operations and returns
 * when all are done: the benchmark counts {@code concurrency × perClient} operations per batch.
 *
 * @param <C> the connection type
 */
abstract class Clients<C extends AutoCloseable> implements AutoCloseable {
    /** Opens one connection: in a fiber for the fiber runner (with the fiber socket factory), on a thread otherwise. */
    interface Opener<C> {
        C open(boolean inFiber) throws Exception;
    }

    /** One operation (a round trip) on a connection. */
    interface Op<C> {
        void run(C connection) throws Exception;
    }

    final List<C> connections = new ArrayList<>();

    abstract void runBatch(int perClient, Op<C> op) throws Exception;

    static <C extends AutoCloseable> Clients<C> open(String runner, String backend, int concurrency, Opener<C> opener)
            throws Exception {
        return switch (runner) {
            case "fibers" -> new OnOneHub<>(backend, concurrency, opener);
            case "virtual" -> new OnThreads<>(Executors.newVirtualThreadPerTaskExecutor(), concurrency, opener);
            case "platform" -> new OnThreads<>(Executors.newFixedThreadPool(concurrency), concurrency, opener);
            default -> throw new IllegalArgumentException("runner must be fibers, virtual or platform: " + runner);
        };
    }

    /** Fibers on one hub, the benchmark thread itself: {@code Hub.call} per batch. */
    private static final class OnOneHub<C extends AutoCloseable> extends Clients<C> {
        private final Hub hub;

        OnOneHub(String backend, int concurrency, Opener<C> opener) throws Exception {
            hub = Hub.open(backend);
            hub.call(() -> {
                List<Fiber<C>> opening = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    opening.add(Fiber.spawn(() -> opener.open(true)));
                }
                for (Fiber<C> f : opening) {
                    connections.add(f.get());
                }
                return null;
            });
        }

        @Override
        void runBatch(int perClient, Op<C> op) throws Exception {
            hub.call(() -> {
                List<Fiber<Void>> fibers = new ArrayList<>(connections.size());
                for (C c : connections) {
                    fibers.add(Fiber.spawn(() -> {
                        for (int i = 0; i < perClient; i++) {
                            op.run(c);
                        }
                    }));
                }
                for (Fiber<Void> f : fibers) {
                    f.get();
                }
                return null;
            });
        }

        @Override
        public void close() throws Exception {
            hub.call(() -> {
                for (C c : connections) {
                    c.close();
                }
                return null;
            });
            hub.close();
        }
    }

    /** Threads (virtual, or a fixed pool of platform threads): one task per client per batch. */
    private static final class OnThreads<C extends AutoCloseable> extends Clients<C> {
        private final ExecutorService executor;

        OnThreads(ExecutorService executor, int concurrency, Opener<C> opener) throws Exception {
            this.executor = executor;
            for (int i = 0; i < concurrency; i++) {
                connections.add(opener.open(false));
            }
        }

        @Override
        void runBatch(int perClient, Op<C> op) throws Exception {
            List<Callable<Void>> tasks = new ArrayList<>(connections.size());
            for (C c : connections) {
                tasks.add(() -> {
                    for (int i = 0; i < perClient; i++) {
                        op.run(c);
                    }
                    return null;
                });
            }
            for (Future<Void> f : executor.invokeAll(tasks)) {
                f.get();
            }
        }

        @Override
        public void close() throws Exception {
            executor.shutdownNow();
            for (C c : connections) {
                c.close();
            }
        }
    }
}
