package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every blocking primitive shares (gevent's AbstractGenericWaitTestCase): a wait
 * returns once satisfied, a timed wait gives up on time, an enclosing Timeout is not lost, and a
 * kill wakes the waiter and runs its finally blocks. One subclass per primitive.
 *
 * @param <P> the primitive under test
 */
abstract class AbstractWaitTest<P> {
    /** Creates the primitive, in a fiber, in a state where waiting blocks. */
    abstract P create();

    /** Makes a waiting fiber's wait succeed. */
    abstract void satisfy(P p);

    /** Waits without a time limit. */
    abstract void waitForever(P p);

    /** Waits at most {@code d}; true if satisfied, false if it gave up. */
    abstract boolean waitTimed(P p, Duration d);

    @Test
    void returnsOnceSatisfied() throws Exception {
        long elapsed = Hub.run(() -> {
            P p = create();
            Fiber.spawn(() -> {
                Fiber.sleep(30);
                satisfy(p);
            });
            long start = System.nanoTime();
            waitForever(p);
            return System.nanoTime() - start;
        });
        assertTrue(elapsed >= Duration.ofMillis(29).toNanos(), "returned after " + elapsed + " ns");
        assertTrue(elapsed < Duration.ofSeconds(5).toNanos(), "returned after " + elapsed + " ns");
    }

    @Test
    void aTimedWaitGivesUpOnTime() throws Exception {
        long elapsed = Hub.run(() -> {
            P p = create();
            long start = System.nanoTime();
            assertFalse(waitTimed(p, Duration.ofMillis(40)));
            return System.nanoTime() - start;
        });
        assertTrue(elapsed >= Duration.ofMillis(40).toNanos(), "gave up after " + elapsed + " ns");
        assertTrue(elapsed < Duration.ofSeconds(5).toNanos(), "gave up after " + elapsed + " ns");
    }

    @Test
    void aTimedWaitReturnsTrueWhenSatisfiedInTime() throws Exception {
        assertTrue(Hub.run(() -> {
            P p = create();
            Fiber.spawn(() -> satisfy(p));
            return waitTimed(p, Duration.ofSeconds(10));
        }));
    }

    @Test
    void anEnclosingTimeoutIsNotLost() throws Exception {
        String r = Hub.run(() -> {
            P p = create();
            try (Timeout outer = Timeout.after(Duration.ofMillis(30))) {
                try {
                    waitTimed(p, Duration.ofSeconds(10));
                    return "the wait returned";
                } catch (FiberTimeoutException e) {
                    return e.is(outer) ? "outer timeout" : "another timeout: " + e.timeout();
                }
            }
        });
        assertEquals("outer timeout", r);
    }

    @Test
    void aKillWakesTheWaiterAndRunsItsFinally() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            P p = create();
            Fiber<Void> waiter = Fiber.spawn(() -> {
                try {
                    waitForever(p);
                    trace.add("returned");
                } finally {
                    trace.add("finally");
                }
            });
            Fiber.sleep(10);
            assertTrue(waiter.kill(Duration.ofSeconds(5)));
            assertEquals(FiberState.KILLED, waiter.state());
        });
        assertEquals(List.of("finally"), trace);
    }
}
