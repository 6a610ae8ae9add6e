package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AsyncResultTest extends AbstractWaitTest<AsyncResult<String>> {
    @Override
    AsyncResult<String> create() {
        return new AsyncResult<>();
    }

    @Override
    void satisfy(AsyncResult<String> r) {
        r.set("done");
    }

    @Override
    void waitForever(AsyncResult<String> r) {
        assertEquals("done", r.get());
    }

    @Override
    boolean waitTimed(AsyncResult<String> r, Duration d) {
        return r.await(d);
    }

    @Test
    void anotherThreadCompletesItAndTheWaiterIsNotReportedBlockedForever() throws Exception {
        String r = Hub.run(() -> {
            AsyncResult<String> result = new AsyncResult<>();
            Thread worker = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                result.set("from " + Thread.currentThread().getName());
            }, "worker");
            worker.start();
            return result.get();
        });
        assertEquals("from worker", r);
    }

    @Test
    void waitersWakeInFifoOrderWithTheSameValue() throws Exception {
        String trace = Hub.run(() -> {
            AsyncResult<Integer> result = new AsyncResult<>();
            StringBuilder sb = new StringBuilder();
            for (String name : new String[] {"a", "b", "c"}) {
                Fiber.spawn(name, () -> {
                    int got = result.get();
                    sb.append(name).append(" got ").append(got).append('\n');
                });
            }
            Fiber.yield();
            result.set(42);
            Fiber.yield();
            return sb.toString();
        });
        assertEquals("""
                a got 42
                b got 42
                c got 42
                """, trace);
    }

    @Test
    void anExceptionIsThrownToEveryGetter() throws Exception {
        Hub.run(() -> {
            AsyncResult<String> r = new AsyncResult<>();
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            r.setException(boom);
            assertSame(boom, assertThrows(IllegalArgumentException.class, r::get));
            assertFalse(r.isSuccess());
            AsyncResult<String> checked = new AsyncResult<>();
            checked.setException(new IOException("disk"));
            assertTrue(assertThrows(CompletionException.class, checked::get).getCause() instanceof IOException);
        });
    }

    @Test
    void completingTwiceIsRefused() throws Exception {
        Hub.run(() -> {
            AsyncResult<String> r = new AsyncResult<>();
            r.set("first");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.set("second"));
            assertTrue(e.getMessage().contains("only once"), e.getMessage());
            assertEquals("first", r.get());
        });
    }

    @Test
    void getWithATimeoutThrowsFiberTimeoutException() throws Exception {
        Hub.run(() -> {
            AsyncResult<String> r = new AsyncResult<>();
            assertThrows(FiberTimeoutException.class, () -> r.get(Duration.ofMillis(20)));
        });
    }

    @Test
    void completingAfterTheHubHasClosedStoresTheOutcome() throws Exception {
        AtomicReference<AsyncResult<String>> leaked = new AtomicReference<>();
        Hub.run(() -> leaked.set(new AsyncResult<>()));
        Thread t = new Thread(() -> leaked.get().set("late"));
        t.start();
        t.join();
        assertTrue(leaked.get().isDone());
    }

    @Test
    void threadsRacingToCompleteItLetExactlyOneWinAndTheWaiterGetsThatOnesValue() throws Exception {
        int threads = 4;
        Hub.run(() -> {
            for (int round = 0; round < 300; round++) {
                AsyncResult<Integer> r = new AsyncResult<>();
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger winner = new AtomicInteger(-1);
                AtomicInteger refused = new AtomicInteger();
                Thread[] racers = new Thread[threads];
                for (int i = 0; i < threads; i++) {
                    int me = i;
                    racers[i] = new Thread(() -> {
                        try {
                            go.await();
                            r.set(me);
                            winner.set(me);
                        } catch (IllegalStateException alreadyCompleted) {
                            refused.incrementAndGet();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    racers[i].start();
                }
                go.countDown();
                int got = r.get();
                for (Thread t : racers) {
                    t.join(); // short: the racers only complete or are refused
                }
                assertEquals(winner.get(), got, "round " + round);
                assertEquals(threads - 1, refused.get(), "round " + round);
                assertTrue(r.isDone() && r.isSuccess());
            }
        });
    }
}
