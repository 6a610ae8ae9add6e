package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class BlockedForeverTest {

    @Test
    void aWaitNothingCanEndFailsWithAReportInsteadOfHanging() {
        java.util.List<String> unjoined = new java.util.concurrent.CopyOnWriteArrayList<>();
        BlockedForeverException e = assertThrows(BlockedForeverException.class, () -> Hub.run(() -> {
            // the worker's failure reaches the uncaught handler (nobody joins it): asserted, not logged
            Hub.current().setUncaughtExceptionHandler((f, t) -> unjoined.add(f.name() + ": " + t.getClass().getSimpleName()));
            Fiber.spawn("idle-worker", () -> new Waiter<String>().get());
            return new Waiter<String>().get();
        }));
        assertTrue(unjoined.contains("idle-worker: BlockedForeverException"), unjoined.toString());
        String m = e.getMessage();
        assertTrue(m.contains("would wait forever"), m);
        assertTrue(m.contains("#1 'main' WAITING"), m);
        assertTrue(m.contains("'idle-worker' WAITING"), m);
        assertTrue(m.contains("BlockedForeverTest"), "names where each waits: " + m);
    }

    @Test
    void twoFibersJoiningEachOtherAreBothWoken() throws Exception {
        String r = Hub.run(() -> {
            AtomicReference<Fiber<?>> other = new AtomicReference<>();
            Fiber<String> a = Fiber.spawn("a", () -> {
                try {
                    other.get().join();
                    return "joined";
                } catch (BlockedForeverException e) {
                    return "a saw it";
                }
            });
            Fiber<String> b = Fiber.spawn("b", () -> {
                try {
                    a.join();
                    return "joined";
                } catch (BlockedForeverException e) {
                    return "b saw it";
                }
            });
            other.set(b);
            return a.get() + ", " + b.get();
        });
        assertEquals("a saw it, joined", r);
    }

    @Test
    void aKeepAliveMeansAnotherThreadMayStillWakeIt() throws Exception {
        String r = Hub.run(() -> {
            Hub hub = Hub.current();
            Waiter<String> w = new Waiter<>();
            try (AutoCloseable alive = hub.keepAlive()) {
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    hub.execute(() -> w.complete("woken by another thread"));
                });
                t.start();
                return w.get();
            }
        });
        assertEquals("woken by another thread", r);
    }

    @Test
    void sleepingFibersAreNotBlockedForever() throws Exception {
        assertEquals("slept", Hub.run(() -> {
            Fiber<String> f = Fiber.spawn(() -> {
                Fiber.sleep(Duration.ofMillis(30));
                return "slept";
            });
            return f.get();
        }));
    }
}
