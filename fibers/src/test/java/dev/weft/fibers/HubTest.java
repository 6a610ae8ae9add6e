package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.Backends;
import dev.weft.hub.WrongThreadException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class HubTest {

    @Test
    void runsOnTheSelectedBackend() throws Exception {
        String expected = Backends.select().name();
        assertEquals(expected, Hub.run(() -> Hub.current().backendName()));
        String property = System.getProperty(Backends.PROPERTY);
        if (property != null && !property.isBlank()) {
            assertEquals(property, expected);
        }
    }

    @Test
    void mainExceptionIsThrownAsIs() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Hub.run(() -> {
            throw boom;
        }));
        assertSame(boom, e);
        Exception checked = new Exception("checked");
        assertSame(checked, assertThrows(Exception.class, () -> Hub.run(() -> {
            throw checked;
        })));
    }

    @Test
    void hubRunIsNotReentrant() throws Exception {
        Hub.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Hub.run(() -> 1));
            assertTrue(e.getMessage().contains("not re-entrant"), e.getMessage());
        });
    }

    @Test
    void blockingOutsideAFiberSaysWhatToDo() {
        NotInFiberException e = assertThrows(NotInFiberException.class, () -> Fiber.sleep(1));
        assertTrue(e.getMessage().contains("runs no Weft hub") && e.getMessage().contains("Hub.run"), e.getMessage());
    }

    /** Issue 13: the main fiber's failure is thrown by Hub.run, once, and not also reported as unjoined. */
    @Test
    void theMainFibersFailureIsThrownAndNotAlsoReportedAsUnjoined() {
        java.util.List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> reported.add(f + ": " + t));
            Fiber.spawn("orphan", () -> {
                throw new IllegalArgumentException("nobody joins me");
            });
            Fiber.yield();
            throw new IllegalStateException("main failed");
        }));
        assertEquals("main failed", e.getMessage());
        assertEquals(1, reported.size(), reported.toString());
        assertTrue(reported.get(0).contains("'orphan'") && reported.get(0).contains("nobody joins me"), reported.toString());
    }

    @Test
    void blockingInAnOnExitCallbackIsRefused() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> seen.set(t));
            Fiber<Void> f = Fiber.spawn(() -> { });
            f.onExit(done -> Fiber.sleep(1));
            f.join();
        });
        assertTrue(seen.get() instanceof NotInFiberException, String.valueOf(seen.get()));
        assertTrue(seen.get().getMessage().contains("outside any fiber"), seen.get().getMessage());
    }

    @Test
    void otherThreadsUseExecuteAndSubmit() throws Exception {
        String r = Hub.run(() -> {
            Hub hub = Hub.current();
            AsyncResultless box = new AsyncResultless();
            try (AutoCloseable alive = hub.keepAlive()) {
                Thread t = new Thread(() -> hub.execute(() -> box.value = "from " + Thread.currentThread().getName()));
                t.start();
                while (box.value == null) {
                    Fiber.sleep(1);
                }
            }
            CompletableFuture<Integer> fut = CompletableFuture.supplyAsync(() -> {
                try {
                    return hub.submit(() -> 41 + 1).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            while (!fut.isDone()) {
                Fiber.sleep(1);
            }
            return box.value + " " + fut.get();
        });
        assertTrue(r.endsWith(" 42"), r);
        assertTrue(r.startsWith("from "), r);
    }

    @Test
    void wrongThreadUseNamesBothThreads() throws Exception {
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> Fiber.sleep(Duration.ofSeconds(10)));
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    f.kill();
                } catch (Throwable e) {
                    seen.set(e);
                }
            }, "intruder");
            t.start();
            while (t.isAlive()) {
                Fiber.sleep(1);
            }
            Throwable e = seen.get();
            assertTrue(e instanceof WrongThreadException, String.valueOf(e));
            assertTrue(e.getMessage().contains("intruder") && e.getMessage().contains(Thread.currentThread().getName())
                    && e.getMessage().contains("execute"), e.getMessage());
            f.kill();
        });
    }

    @Test
    void executeAfterShutdownIsRejected() throws Exception {
        Hub hub = Hub.run(Hub::current);
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> hub.execute(() -> { }));
    }

    /** A plain holder written by the hub and read by the main fiber (same thread). */
    private static final class AsyncResultless {
        volatile String value;
    }

    @Test
    void anOpenHubKeepsItsFibersBetweenCallsAndCloseUnwindsThem() throws Exception {
        StringBuilder trace = new StringBuilder();
        try (Hub hub = Hub.open(null)) {
            Queue<String> inbox = hub.call(Queue::new);
            hub.call(() -> Fiber.spawn("echo", () -> {
                try {
                    while (true) {
                        String word = inbox.get();
                        trace.append("echo ").append(word).append('\n');
                    }
                } finally {
                    trace.append("echo unwound\n");
                }
            }));
            for (String word : new String[] {"one", "two"}) {
                hub.call(() -> {
                    inbox.put(word);
                    Fiber.yield();
                    return null;
                });
            }
            assertEquals(2, hub.call(() -> Hub.current().fibers().size()), "the echo fiber and this call");
            IllegalStateException reentry = assertThrows(IllegalStateException.class,
                    () -> hub.call(() -> hub.call(() -> 1)));
            assertTrue(reentry.getMessage().contains("not re-entrant"), reentry.getMessage());
        }
        assertEquals("echo one\necho two\necho unwound\n", trace.toString());
        assertThrows(NotInFiberException.class, Hub::current, "close frees the thread");
    }
}
