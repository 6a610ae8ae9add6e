package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class ThreadPoolTest {

    @Test
    void aBlockingCallRunsOffTheHubWhileOtherFibersKeepRunning() throws Exception {
        String[] result = Hub.run(() -> {
            int[] ticks = {0};
            Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                while (true) {
                    Fiber.sleep(Duration.ofMillis(5));
                    ticks[0]++;
                }
            });
            String thread = ThreadPool.offload(() -> {
                Thread.sleep(200); // really blocks, on a pool thread
                return Thread.currentThread().getName();
            });
            ticker.kill();
            return new String[] {thread, String.valueOf(ticks[0])};
        });
        assertTrue(result[0].startsWith("weft-offload-"), result[0]);
        assertTrue(Integer.parseInt(result[1]) >= 10, "the hub kept running: " + result[1] + " ticks");
    }

    @Test
    void checkedExceptionsComeBackAsThey() throws Exception {
        IOException boom = new IOException("disk on fire");
        IOException thrown = assertThrows(IOException.class, () -> Hub.run(() -> ThreadPool.offload(() -> {
            throw boom;
        })));
        assertSame(boom, thrown);
    }

    @Test
    void aTimedOutCallerReturnsAtOnceAndTheCallRunsToItsEndUnharmed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(50))) {
                FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> ThreadPool.offload(() -> {
                    release.await();
                    finished.set(true);
                    return "dropped";
                }));
                assertTrue(e.is(t));
            }
            return null;
        });
        release.countDown();
        for (int i = 0; i < 100 && !finished.get(); i++) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertTrue(finished.get(), "the pool thread was not interrupted; its result was dropped");
    }

    @Test
    void aKilledCallerUnwindsAndTheHubEndsCleanly() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int killed = Hub.run(() -> {
            int[] finallies = {0};
            Fiber<String> caller = Fiber.spawn("caller", () -> {
                try {
                    return ThreadPool.offload(() -> {
                        release.await(5, TimeUnit.SECONDS);
                        return "late";
                    });
                } finally {
                    finallies[0]++;
                }
            });
            Fiber.sleep(Duration.ofMillis(20));
            assertTrue(caller.kill(Duration.ofSeconds(1)));
            return finallies[0];
        });
        release.countDown();
        assertEquals(1, killed);
    }
}
