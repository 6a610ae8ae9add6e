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
    void onceExpiredEveryLaterBlockingCallInsideTheBlockFails() throws Exception {
        Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1000));
                assertThrows(FiberTimeoutException.class, Fiber::yield);
                assertThrows(FiberTimeoutException.class, () -> Fiber.sleep(1));
            }
        });
    }

    @Test
    void nestedTimeoutsEachKnowTheirOwn() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            try (Timeout outer = Timeout.after(Duration.ofMillis(30))) {
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
