package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 11: timers (and I/O) get their turn within one batch of bounded length whatever the
 * fibers do. Measured by the lateness of a 10 ms timer (a loose upper bound: it was 126 ms to
 * seconds): fibers that yield between 2 ms slices, a fiber that drains a full queue, a loop of
 * uncontended lock acquires. The busy work is real CPU time spent in the fibers; what is asserted is
 * when the timer ran, not how long the work took.
 */
@org.junit.jupiter.api.Timeout(60)
class TimerFairnessTest {
    private static final long LOOSE_BOUND_MS = 100;

    private static void busy(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    /** Schedules a hub timer 10 ms from now; the returned array gets its lateness in ns once it fires. */
    private static long[] timerIn10Ms() {
        long[] late = {-1};
        long due = System.nanoTime() + 10_000_000L;
        Hub.current().loop.scheduleAt(due, () -> late[0] = System.nanoTime() - due);
        return late;
    }

    private static void assertOnTime(long[] late, String what) {
        assertTrue(late[0] >= 0, "the timer never fired (" + what + ")");
        long ms = late[0] / 1_000_000;
        assertTrue(ms < LOOSE_BOUND_MS, "a 10 ms timer ran " + ms + " ms late while " + what);
    }

    @Test
    void fibersThatYieldBetweenLongSlicesDoNotHoldTimersBack() throws Exception {
        Hub.run(() -> {
            boolean[] stop = {false};
            List<Fiber<Void>> yielders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                yielders.add(Fiber.spawn("yielder-" + i, () -> {
                    while (!stop[0]) {
                        busy(2_000_000); // a 2 ms slice, then let the others run
                        Fiber.yield();
                    }
                }));
            }
            Fiber.yield();
            long[] timer = timerIn10Ms();
            long t0 = System.nanoTime();
            Fiber.sleep(10);
            long sleptMs = (System.nanoTime() - t0) / 1_000_000;
            stop[0] = true;
            Fiber.joinAll(yielders, null);
            assertOnTime(timer, "four fibers yielded between 2 ms slices");
            assertTrue(sleptMs < 10 + LOOSE_BOUND_MS, "Fiber.sleep(10) took " + sleptMs + " ms");
        });
    }

    @Test
    void aFiberDrainingAFullQueueDoesNotHoldTimersBack() throws Exception {
        Hub.run(() -> {
            Queue<Integer> q = new Queue<>();
            for (int i = 0; i < 100_000; i++) {
                q.put(i);
            }
            long[] timer = timerIn10Ms();
            Fiber<Void> drainer = Fiber.spawn("drainer", () -> {
                for (int i = 0; i < 100_000; i++) {
                    q.get(); // never waits: the queue is full
                    busy(5_000);
                }
            });
            drainer.join();
            assertOnTime(timer, "a fiber drained 100,000 items without waiting");
        });
    }

    @Test
    void aLoopOfUncontendedLockAcquiresDoesNotHoldTimersBack() throws Exception {
        Hub.run(() -> {
            Lock lock = new Lock();
            long[] timer = timerIn10Ms();
            for (int i = 0; i < 50_000; i++) {
                try (Lock.Held held = lock.lock()) {
                    busy(5_000);
                }
            }
            assertOnTime(timer, "a fiber took an uncontended lock 50,000 times");
        });
    }
}
