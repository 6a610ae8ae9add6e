package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class TimeoutTest {

    @Test
    void interruptsABlockingCallAndNamesItself() throws Exception {
        Hub.run(() -> {
            long t0 = System.nanoTime();
            try (Timeout t = Timeout.after(Duration.ofMillis(20))) {
                FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(Duration.ofSeconds(30)));
                assertTrue(e.is(t));
                assertTrue(t.isExpired());
            }
            long took = System.nanoTime() - t0;
            assertTrue(took >= Duration.ofMillis(20).toNanos(), "early: " + took);
            assertTrue(took < Duration.ofSeconds(5).toNanos(), "late: " + took);
            Fiber.sleep(1); // after close, blocking works again
        });
    }

    @Test
    void aTimeoutFiresOnceAsInGevent() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1000));
                assertTrue(e.is(t));
                Fiber.yield(); // spent: later blocking calls in the block are not limited by it
                Fiber.sleep(20);
                assertTrue(t.isExpired());
            }
        });
    }

    @Test
    void onceExpiredEveryLaterBlockingCallInsideAStickyBlockFails() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.sticky(Duration.ofMillis(5))) {
                assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1000));
                assertThrows(FiberTimeoutException.class, Fiber::yield);
                assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1));
            }
            Fiber.sleep(1); // after close, blocking works again
        });
    }

    /**
     * A gevent-style catch-and-retry loop inside an expired sticky timeout: every re-thrown timeout
     * switches through the hub first, so a ticker fiber keeps ticking (it froze before: 271k spins/s,
     * the 10 ms ticker ran twice in a second).
     */
    @Test
    void aRetryLoopInAnExpiredStickyTimeoutDoesNotFreezeTheHub() throws Exception {
        Hub.run(() -> {
            int[] ticks = new int[1];
            Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                while (true) {
                    Fiber.sleep(10);
                    ticks[0]++;
                }
            });
            Queue<String> q = new Queue<>(1);
            long end = System.nanoTime() + 300_000_000L;
            int spins = 0;
            try (Timeout t = Timeout.sticky(Duration.ofMillis(5))) {
                while (System.nanoTime() < end) {
                    try {
                        q.get();
                    } catch (FiberTimeoutException e) {
                        spins++;
                    }
                }
            }
            ticker.kill();
            assertTrue(spins > 0);
            // before the fix the ticker never ran: the retrying fiber never switched (a loaded machine ticks less than 30)
            assertTrue(ticks[0] >= 3, "the 10 ms ticker ran " + ticks[0] + " times in 300 ms while another fiber retried");
        });
    }

    /** The same loop with a plain (fire-once) timeout: the second get waits normally, ended by an outer limit. */
    @Test
    void aRetryLoopAfterAPlainTimeoutWaitsInsteadOfSpinning() throws Exception {
        Hub.run(() -> {
            Queue<String> q = new Queue<>(1);
            Fiber.spawn(() -> {
                Fiber.sleep(100);
                q.put("late");
            });
            int timeouts = 0;
            String got = null;
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                while (got == null) {
                    try {
                        got = q.get();
                    } catch (FiberTimeoutException e) {
                        timeouts++;
                    }
                }
            }
            assertEquals(1, timeouts);
            assertEquals("late", got);
        });
    }

    @Test
    void nestedTimeoutsEachKnowTheirOwn() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            try (Timeout outer = Timeout.after(Duration.ofMillis(300))) {
                try (Timeout inner = Timeout.after(Duration.ofMillis(5))) {
                    FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1000));
                    trace.add(e.is(inner) ? "inner" : "outer");
                }
                try (Timeout inner = Timeout.after(Duration.ofSeconds(10))) {
                    FiberTimeoutException e = assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1000));
                    trace.add(e.is(outer) ? "outer" : "inner");
                    assertFalse(inner.isExpired());
                }
            }
        });
        assertEquals(List.of("inner", "outer"), trace);
    }

    @Test
    void zeroDurationIsAlreadyExpired() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ZERO)) {
                assertTrue(t.isExpired());
                assertThrows(FiberTimeoutException.class, Fiber::yield);
            }
        });
    }

    @Test
    void closedTimeoutNeverFires() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                Fiber.sleep(0);
            }
            Fiber.sleep(30);
        });
    }

    @Test
    void timeoutDoesNotInterruptCodeThatDoesNotBlock() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(1))) {
                long end = System.nanoTime() + Duration.ofMillis(20).toNanos();
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                assertFalse(t.isExpired()); // the timer has not even run: the hub did not get control
                assertThrows(FiberTimeoutException.class, Fiber::yield);
            }
        });
    }

    @Test
    void timedGetThrowsAndTheFiberGoesOn() throws Exception {
        Hub.run(() -> {
            Fiber<String> slow = Fiber.spawn(() -> {
                Fiber.sleep(50);
                return "late";
            });
            assertThrows(FiberTimeoutException.class, () -> slow.get(Duration.ofMillis(5)));
            assertEquals("late", slow.get(Duration.ofSeconds(10)));
        });
    }

    @Test
    void outOfOrderCloseIsRefused() throws Exception {
        Hub.run(() -> {
            Timeout outer = Timeout.after(Duration.ofSeconds(10));
            Timeout inner = Timeout.after(Duration.ofSeconds(10));
            assertThrows(IllegalStateException.class, outer::close);
            inner.close();
            outer.close();
        });
    }
}
