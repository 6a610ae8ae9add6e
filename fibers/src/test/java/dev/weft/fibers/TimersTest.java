package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop's timers and cross-thread wake-ups, in real time, on the backend under test. */
@org.junit.jupiter.api.Timeout(30)
class TimersTest {

    @Test
    void sleepersWakeInDeadlineOrderAndNeverEarly() throws Exception {
        List<String> woke = new ArrayList<>();
        List<Long> lateByMillis = new ArrayList<>();
        Hub.run(() -> {
            List<Fiber<Void>> all = new ArrayList<>();
            long start = System.nanoTime();
            for (int ms : new int[] {50, 10, 40, 20, 30, 0}) {
                all.add(Fiber.spawn("sleep-" + ms, () -> {
                    Fiber.sleep(Duration.ofMillis(ms));
                    long elapsed = System.nanoTime() - start;
                    assertTrue(elapsed >= ms * 1_000_000L, "sleep-" + ms + " woke after " + elapsed + " ns");
                    woke.add("sleep-" + ms);
                    lateByMillis.add(elapsed / 1_000_000 - ms);
                }));
            }
            Fiber.joinAll(all, Duration.ofSeconds(10));
            return null;
        });
        assertEquals(List.of("sleep-0", "sleep-10", "sleep-20", "sleep-30", "sleep-40", "sleep-50"), woke);
        for (long late : lateByMillis) {
            assertTrue(late < 500, "a timer fired " + late + " ms late");
        }
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        boolean[] ran = {false};
        Hub.run(() -> {
            Fiber<Void> later = Fiber.spawnLater(Duration.ofMillis(20), () -> {
                ran[0] = true;
                return null;
            });
            later.kill();
            Fiber.sleep(Duration.ofMillis(60));
            return null;
        });
        assertEquals(false, ran[0]);
    }

    @Test
    void anotherThreadWakesAHubBlockedInAFarPoll() throws Exception {
        long tookMillis = Hub.run(() -> {
            Fiber<Void> far = Fiber.spawn("far-timer", () -> Fiber.sleep(Duration.ofSeconds(20)));
            AsyncResult<String> result = new AsyncResult<>();
            long start = System.nanoTime();
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                result.set("from another thread");
            });
            assertEquals("from another thread", result.get());
            far.kill();
            return (System.nanoTime() - start) / 1_000_000;
        });
        assertTrue(tookMillis >= 95 && tookMillis < 2_000, "woken after " + tookMillis + " ms, not at the 20 s timer");
    }
}
