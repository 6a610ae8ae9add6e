package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The deadline timer of timed parks, which stays armed from one park to the next ({@link ParkDeadline}):
 * every deadline is still kept, never early and never late by a kept timer, and a kept timer does not
 * outlive the timed waits it is for. In real time, on the backend under test.
 */
@org.junit.jupiter.api.Timeout(30)
class ParkDeadlineTest {

    @Test
    void aLaterDeadlineIsNotCutShortByTheTimerOfAnEarlierPark() throws Exception {
        long waitedNanos = Hub.run(() -> {
            Event first = new Event();
            Fiber.spawn(() -> {
                Fiber.sleep(Duration.ofMillis(50));
                first.set();
            });
            assertTrue(first.await(Duration.ofMillis(300))); // woken at ~50 ms; its timer (at 300 ms) stays armed
            long start = Hub.current().nanoTime();
            assertFalse(new Event().await(Duration.ofMillis(500))); // deadline ~550 ms: the kept timer fires first
            return Hub.current().nanoTime() - start;
        });
        assertTrue(waitedNanos >= 500_000_000L, "a 500 ms wait timed out after " + waitedNanos / 1_000 + " µs");
    }

    @Test
    void anEarlierDeadlineIsKeptThoughALaterTimerIsArmed() throws Exception {
        boolean woken = Hub.run(() -> {
            Event first = new Event();
            Fiber.spawn(first::set);
            assertTrue(first.await(Duration.ofSeconds(60))); // leaves a timer armed 60 s ahead
            return new Event().await(Duration.ofMillis(50)); // must end after 50 ms, not 60 s (the class timeout)
        });
        assertFalse(woken);
    }

    @Test
    void theKeptTimerIsCancelledByAnUntimedWaitAndByTheFibersEnd() throws Exception {
        Hub.run(() -> {
            Hub hub = Hub.current();
            int before = hub.loop().timerCount();
            Event first = new Event();
            Event untimed = new Event();
            Fiber<Void> waiter = Fiber.spawn(() -> {
                assertTrue(first.await(Duration.ofSeconds(60)));
                untimed.await(); // no deadline: the 60 s timer must not stay armed (nor delay a blocked-forever report)
            });
            Fiber.yield(); // the waiter parks with its deadline
            assertEquals(before + 1, hub.loop().timerCount(), "the timed wait's timer");
            first.set();
            Fiber.yield();
            Fiber.yield(); // the waiter runs and parks untimed
            assertEquals(before, hub.loop().timerCount(), "timers left while the fiber waits without a deadline");

            Event second = new Event();
            Fiber<Void> ender = Fiber.spawn(() -> assertTrue(second.await(Duration.ofSeconds(60))));
            Fiber.yield();
            second.set();
            ender.join();
            assertEquals(before, hub.loop().timerCount(), "timers left after the fiber ended");
            untimed.set();
            waiter.join();
            return null;
        });
    }
}
