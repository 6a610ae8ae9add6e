package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class TimeoutFormsTest {

    @Test
    void withTimeoutReturnsTheFallbackOnTimeAndTheResultOtherwise() throws Exception {
        long[] elapsed = new long[1];
        List<String> results = Hub.run(() -> {
            long start = System.nanoTime();
            String slow = Timeouts.withTimeout(Duration.ofMillis(30), () -> {
                Fiber.sleep(10_000);
                return "never";
            }, "fallback");
            elapsed[0] = System.nanoTime() - start;
            String fast = Timeouts.withTimeout(Duration.ofSeconds(10), () -> "fast", "fallback");
            Fiber.sleep(1); // the closed timeout does not fire later
            return List.of(slow, fast);
        });
        assertEquals(List.of("fallback", "fast"), results);
        assertTrue(elapsed[0] >= Duration.ofMillis(30).toNanos() && elapsed[0] < Duration.ofSeconds(5).toNanos(),
                "took " + elapsed[0] + " ns");
    }

    @Test
    void silentlyEndsTheBlockQuietlyAndRunsItsFinally() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            boolean finished = Timeouts.silently(Duration.ofMillis(10), () -> {
                try {
                    Fiber.sleep(10_000);
                    trace.add("woke");
                } finally {
                    trace.add("finally");
                }
            });
            trace.add("finished " + finished);
            trace.add("finished " + Timeouts.silently(Duration.ofSeconds(10), () -> Fiber.sleep(1)));
        });
        assertEquals(List.of("finally", "finished false", "finished true"), trace);
    }

    @Test
    void raisingThrowsTheGivenExceptionWithTheTimeoutAsItsCause() throws Exception {
        Hub.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Timeouts.raising(Duration.ofMillis(5), () -> new IllegalStateException("db too slow"), () -> {
                        Fiber.sleep(10_000);
                        return null;
                    }));
            assertEquals("db too slow", e.getMessage());
            assertInstanceOf(FiberTimeoutException.class, e.getCause());
        });
    }

    /** A checked exception a driver wraps everything in (pgjdbc's connect: PSQLException "Something unusual ..."). */
    static final class DriverException extends Exception {
        DriverException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What pgjdbc's Driver.connect does with any exception of a connect: wraps it. */
    private static void driverCall(Duration sleep) throws DriverException {
        try {
            Fiber.sleep(sleep);
        } catch (RuntimeException e) {
            throw new DriverException("Something unusual has occurred", e);
        }
    }

    @Test
    void theFormsFindTheirOwnTimeoutInsideADriversWrapper() throws Exception {
        List<Object> seen = Hub.run(() -> {
            String fallback = Timeouts.withTimeout(Duration.ofMillis(10), () -> {
                driverCall(Duration.ofSeconds(10));
                return "never";
            }, "fallback");
            boolean finished = Timeouts.silently(Duration.ofMillis(10), () -> driverCall(Duration.ofSeconds(10)));
            IllegalStateException raised = assertThrows(IllegalStateException.class, () -> Timeouts.raising(
                    Duration.ofMillis(10), () -> new IllegalStateException("db too slow"), () -> {
                        driverCall(Duration.ofSeconds(10));
                        return null;
                    }));
            // another timeout wrapped by the driver is not theirs: it passes through, still wrapped
            DriverException other;
            try (Timeout outer = Timeout.after(Duration.ofMillis(10))) {
                other = assertThrows(DriverException.class, () -> Timeouts.withTimeout(Duration.ofSeconds(10), () -> {
                    driverCall(Duration.ofSeconds(10));
                    return "never";
                }, "inner fallback"));
                assertTrue(FiberTimeoutException.is(other, outer));
                assertEquals(outer, FiberTimeoutException.find(other).timeout());
            }
            return List.of(fallback, finished, raised.getCause().getClass().getSimpleName(),
                    other.getMessage());
        });
        assertEquals(List.of("fallback", false, "DriverException", "Something unusual has occurred"), seen);
    }

    @Test
    void findWalksCausesAndSuppressedAndSurvivesACycle() throws Exception {
        Hub.run(() -> {
            FiberTimeoutException fired;
            try (Timeout t = Timeout.after(Duration.ZERO)) {
                fired = assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1));
                Exception suppressing = new Exception("cleanup failed");
                suppressing.addSuppressed(new RuntimeException("wrapper", fired));
                assertTrue(FiberTimeoutException.is(suppressing, t));
                assertEquals(fired, FiberTimeoutException.find(suppressing));
            }
            Exception a = new Exception("a");
            Exception b = new Exception("b", a);
            a.initCause(b); // a cycle: the walk ends
            assertEquals(null, FiberTimeoutException.find(a));
            assertFalse(FiberTimeoutException.is(null, null));
        });
    }

    @Test
    void anEnclosingTimeoutThatExpiresFirstIsNotSwallowed() throws Exception {
        assertEquals("outer", Hub.run(() -> {
            try (Timeout outer = Timeout.after(Duration.ofMillis(10))) {
                try {
                    Timeouts.withTimeout(Duration.ofSeconds(10), () -> {
                        Fiber.sleep(10_000);
                        return "body";
                    }, "inner fallback");
                    return "returned";
                } catch (FiberTimeoutException e) {
                    return e.is(outer) ? "outer" : "other";
                }
            }
        }));
    }

    @Test
    void aRestartableTimeoutCanBeRestartedCancelledAndTellsItsOwnExpiry() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            RestartableTimeout idle = new RestartableTimeout(Duration.ofMillis(150));
            sb.append("before start pending ").append(idle.isPending()).append('\n');
            idle.start();
            for (int i = 0; i < 4; i++) {
                Fiber.sleep(50); // 200 ms in all, but never 150 ms without a restart (100 ms spare for a loaded machine)
                idle.start();
            }
            sb.append("restarted 4 times, pending ").append(idle.isPending()).append('\n');
            try {
                Fiber.sleep(10_000);
            } catch (FiberTimeoutException e) {
                sb.append("expired, owns ").append(idle.owns(e)).append(", pending ").append(idle.isPending()).append('\n');
            }
            idle.cancel();
            idle.start();
            idle.cancel();
            Fiber.sleep(200); // cancelled: nothing fires
            sb.append("cancelled, pending ").append(idle.isPending()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                before start pending false
                restarted 4 times, pending true
                expired, owns true, pending false
                cancelled, pending false
                """, trace);
    }

    @Test
    void restartingWhileAnInnerTimeoutIsOpenIsRefused() throws Exception {
        Hub.run(() -> {
            RestartableTimeout r = new RestartableTimeout(Duration.ofSeconds(10));
            r.start();
            try (Timeout inner = Timeout.after(Duration.ofSeconds(10))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, r::start);
                assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
            }
            r.cancel();
            assertFalse(r.isPending());
        });
    }
}
