package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 100,000 round trips between the hub and a platform thread, each way the API offers: a fiber
 * waiting for an {@link AsyncResult} the thread completes, and the thread waiting for a
 * {@link Hub#submit} future. A lost wake-up (the hub asleep in its poll with a task queued) hangs
 * one of them for good; before the hub-unix fix that happened within a few thousand on epoll. Each
 * wait is bounded, so a lost wake-up fails the test with the count instead of hanging it.
 */
@org.junit.jupiter.api.Timeout(120)
class CrossThreadRoundTripTest {
    private static final int ROUNDS = 100_000;

    @Test
    void aHundredThousandAsyncResultsSetFromAPlatformThread() throws Exception {
        int done = Hub.run(() -> {
            SynchronousQueue<AsyncResult<Integer>> handOver = new SynchronousQueue<>();
            Thread completer = Thread.ofPlatform().name("completer").start(() -> {
                try {
                    for (int i = 0; i < ROUNDS; i++) {
                        AsyncResult<Integer> r = handOver.poll(10, TimeUnit.SECONDS);
                        if (r == null) {
                            return;
                        }
                        r.set(i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int i = 0;
            for (; i < ROUNDS; i++) {
                AsyncResult<Integer> r = new AsyncResult<>();
                // the hand-over blocks the hub thread only until the completer takes it (it waits there)
                if (!handOver.offer(r, 10, TimeUnit.SECONDS)) {
                    break;
                }
                assertEquals(i, r.get(Duration.ofSeconds(10)), "round trip " + i);
            }
            completer.join();
            return i;
        });
        assertEquals(ROUNDS, done);
    }

    @Test
    void aHundredThousandSubmitsFromAPlatformThread() throws Exception {
        List<Integer> results = new ArrayList<>();
        Hub.run(() -> {
            Hub hub = Hub.current();
            AsyncResult<Void> finished = new AsyncResult<>();
            Thread.ofPlatform().name("submitter").start(() -> {
                try {
                    for (int i = 0; i < ROUNDS; i++) {
                        int n = i;
                        CompletableFuture<Integer> f = hub.submit(() -> n * 2);
                        results.add(f.get(10, TimeUnit.SECONDS));
                    }
                    finished.set(null);
                } catch (Throwable t) {
                    finished.setException(t);
                }
            });
            finished.get(Duration.ofSeconds(100));
        });
        assertEquals(ROUNDS, results.size());
        assertTrue(results.get(ROUNDS - 1) == 2 * (ROUNDS - 1));
    }
}
