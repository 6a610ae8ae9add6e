package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link Futures} and {@link Fiber#await}: runs on every backend (the fibers backend suite). */
@org.junit.jupiter.api.Timeout(60)
class FuturesTest {

    /**
     * The hand-off that exposed the lost cross-thread wake-up on epoll: 100,000 futures, each
     * completed by a platform thread while the fiber waits for it. A lost wake-up hangs here.
     */
    @Test
    void hundredThousandFuturesCompletedFromAPlatformThread() throws Exception {
        int n = 100_000;
        BlockingQueue<CompletableFuture<Integer>> toComplete = new ArrayBlockingQueue<>(1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread completer = new Thread(() -> {
            int i = 0;
            try {
                while (!stop.get()) {
                    CompletableFuture<Integer> f = toComplete.poll(100, TimeUnit.MILLISECONDS);
                    if (f != null) {
                        f.complete(i++);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "completer");
        completer.start();
        try {
            long sum = Hub.run(() -> {
                long s = 0;
                try (Timeout t = Timeout.after(Duration.ofSeconds(50))) {
                    for (int i = 0; i < n; i++) {
                        CompletableFuture<Integer> f = new CompletableFuture<>();
                        toComplete.put(f);
                        s += Fiber.await(f);
                    }
                }
                return s;
            });
            assertEquals((long) n * (n - 1) / 2, sum);
        } finally {
            stop.set(true);
            completer.join();
        }
    }

    @Test
    void onlyTheWaitingFiberParks() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            CompletableFuture<String> f = new CompletableFuture<>();
            Fiber<Void> waiter = Fiber.spawn("waiter", () -> {
                String got = Fiber.await(f);
                sb.append("waiter got ").append(got).append('\n');
            });
            Fiber.spawn("ticker", () -> {
                for (int i = 0; i < 3; i++) {
                    sb.append("tick ").append(i).append('\n');
                    Fiber.sleep(5);
                }
                new Thread(() -> f.complete("late"), "completer").start();
            });
            waiter.get(Duration.ofSeconds(10));
            return sb.toString();
        });
        assertEquals("""
                tick 0
                tick 1
                tick 2
                waiter got late
                """, trace);
    }

    @Test
    void aFutureCompletedFromTheHubThreadItselfWakesTheWaiter() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            Fiber.spawn("completer", () -> f.complete("from a fiber"));
            assertEquals("from a fiber", Fiber.await(f));
            CompletableFuture<String> g = new CompletableFuture<>();
            Hub.current().loop().schedule(1_000_000, () -> g.complete("from a timer callback"));
            assertEquals("from a timer callback", Futures.await(g));
        });
    }

    @Test
    void anAlreadyCompletedStageReturnsWithoutWaitingAndAMinimalStageWorks() throws Exception {
        Hub.run(() -> {
            assertEquals("now", Fiber.await(CompletableFuture.completedFuture("now")));
            CompletableFuture<String> src = new CompletableFuture<>();
            // toCompletableFuture of a minimal stage is a copy: awaited through whenComplete
            new Thread(() -> src.complete("minimal"), "completer").start();
            assertEquals("minimal", Futures.await(src.minimalCompletionStage()));
            // a stage that offers no toCompletableFuture at all
            assertEquals("bare", Futures.await(new BareStage<>(CompletableFuture.supplyAsync(() -> "bare"))));
        });
    }

    @Test
    void failuresAreRethrownUnwrapped() throws Exception {
        Hub.run(() -> {
            IOException io = new IOException("disk");
            CompletableFuture<String> failed = new CompletableFuture<>();
            new Thread(() -> failed.completeExceptionally(io), "completer").start();
            assertSame(io, assertThrows(IOException.class, () -> Fiber.await(failed)));
            // supplyAsync wraps in CompletionException; thenApply wraps again
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            CompletableFuture<String> wrapped = CompletableFuture.<String>supplyAsync(() -> {
                throw boom;
            }).thenApply(s -> s + "!");
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> Fiber.await(wrapped)));
            // already failed: the same unwrapping on the fast path
            assertSame(io, assertThrows(IOException.class, () -> Fiber.await(CompletableFuture.failedFuture(io))));
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            new Thread(() -> cancelled.cancel(false), "canceller").start();
            assertThrows(CancellationException.class, () -> Fiber.await(cancelled));
        });
    }

    @Test
    void aTimeoutEndsTheWaitForAFutureThatNeverCompletes() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> never = new CompletableFuture<>();
            long start = System.nanoTime();
            try (Timeout t = Timeout.after(Duration.ofMillis(50))) {
                FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> Fiber.await(never));
                assertTrue(e.is(t));
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 49 && ms < 5_000, ms + " ms");
            assertFalse(never.isDone(), "await leaves the future running");
            try (Timeout t = Timeout.after(Duration.ofMillis(20))) {
                assertThrows(FiberTimeoutException.class, () -> Futures.awaitOrCancel(never));
            }
            assertTrue(never.isCancelled(), "awaitOrCancel cancels it");
        });
    }

    @Test
    void aKilledWaiterUnwindsAndAwaitOrCancelCancels() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> kept = new CompletableFuture<>();
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            StringBuilder sb = new StringBuilder();
            Fiber<Void> a = Fiber.spawn("a", () -> {
                try {
                    Fiber.await(kept);
                } finally {
                    sb.append("a unwound;");
                }
            });
            Fiber<Void> b = Fiber.spawn("b", () -> {
                try {
                    Futures.awaitOrCancel(cancelled);
                } finally {
                    sb.append("b unwound;");
                }
            });
            Fiber.yield();
            a.kill();
            b.kill();
            a.join();
            b.join();
            assertEquals("a unwound;b unwound;", sb.toString());
            assertFalse(kept.isDone());
            assertTrue(cancelled.isCancelled());
            // a late completion of an abandoned future is harmless
            kept.complete("late");
        });
    }

    /** The main fiber ends while 100 fibers await futures nobody completes: shutdown unwinds them all, and cancels. */
    @Test
    void hubShutdownUnwindsFibersAwaitingFutures() throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        int[] unwound = {0};
        Hub.run(() -> {
            for (int i = 0; i < 100; i++) {
                CompletableFuture<String> f = new CompletableFuture<>();
                futures.add(f);
                boolean cancel = i % 2 == 0;
                Fiber.spawn(() -> {
                    try {
                        if (cancel) {
                            Futures.awaitOrCancel(f);
                        } else {
                            Fiber.await(f);
                        }
                    } finally {
                        unwound[0]++;
                    }
                });
            }
            Fiber.yield(); // all of them wait now; returning ends the hub
        });
        assertEquals(100, unwound[0]);
        for (int i = 0; i < 100; i++) {
            assertEquals(i % 2 == 0, futures.get(i).isCancelled(), "future " + i);
        }
        futures.get(1).complete("after the hub closed"); // a late completion is harmless
    }

    @Test
    void plainFuturesAreAwaitedThroughAVirtualThread() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Hub.run(() -> {
                Future<String> f = pool.submit(() -> {
                    Thread.sleep(20);
                    return "from the pool";
                });
                assertEquals("from the pool", Futures.awaitFuture(f));
                Future<String> failing = pool.submit(() -> {
                    throw new IOException("pool failure");
                });
                assertEquals("pool failure", assertThrows(IOException.class, () -> Futures.awaitFuture(failing)).getMessage());
                CountDownLatch never = new CountDownLatch(1);
                Future<String> stuck = pool.submit(() -> {
                    never.await();
                    return "unreachable";
                });
                try (Timeout t = Timeout.after(Duration.ofMillis(30))) {
                    assertThrows(FiberTimeoutException.class, () -> Futures.awaitFutureOrCancel(stuck));
                }
                assertTrue(stuck.isCancelled());
            });
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void outsideAFiberItSaysSoAndInFiberNeverThrows() throws Exception {
        assertFalse(Fiber.inFiber());
        NotInFiberException e = assertThrows(NotInFiberException.class,
                () -> Fiber.await(CompletableFuture.completedFuture("x")));
        assertTrue(e.getMessage().contains("Futures.await"), e.getMessage());
        Hub.run(() -> {
            assertTrue(Fiber.inFiber());
            CompletableFuture<Boolean> inCallback = new CompletableFuture<>();
            Hub.current().loop().callSoon(() -> inCallback.complete(Fiber.inFiber()));
            assertFalse(Fiber.await(inCallback), "the hub's own callbacks are not in a fiber");
        });
    }

    /** A stage that refuses toCompletableFuture (the spec allows it): awaited through whenComplete. */
    private static final class BareStage<T> extends CompletableFuture<T> {
        BareStage(CompletableFuture<T> source) {
            source.whenComplete((v, t) -> {
                if (t == null) {
                    complete(v);
                } else {
                    completeExceptionally(t);
                }
            });
        }

        @Override
        public CompletableFuture<T> toCompletableFuture() {
            throw new UnsupportedOperationException("not offered");
        }
    }
}
