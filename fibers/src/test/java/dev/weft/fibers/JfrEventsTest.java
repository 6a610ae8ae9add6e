package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a hub with JFR and reads Weft's events back: a long wait, a hub blocked by a fiber (the
 * watchdog, 300 ms in the tests), a stall (nothing can ever run), and the fiber counts.
 */
@org.junit.jupiter.api.Timeout(60)
class JfrEventsTest {

    @Test
    void weftEventsAreRecordedAndReadBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("weft.jfr");
        try (Recording r = new Recording(); LogCapture log = LogCapture.watchdog()) {
            r.enable("weft.FiberWait").withThreshold(Duration.ofMillis(20));
            r.enable("weft.HubBlocked");
            r.enable("weft.HubStalled");
            r.enable("weft.FiberCounts");
            r.start();
            Hub.run(() -> {
                Fiber.sleep(HubWatchdog.THRESHOLD_MS / 2); // two watchdog periods: the recording is noticed
                Fiber.spawn("short-waiter", () -> Fiber.sleep(1)).join();
                Fiber.spawn("long-waiter", () -> Fiber.sleep(60)).join();
                Fiber.spawn("hog", () -> {
                    Thread.sleep(HubWatchdog.THRESHOLD_MS + 400); // blocks the hub thread on purpose
                }).join();
                Event never = new Event();
                Fiber<Void> stuck = Fiber.spawn("stuck", () -> never.await());
                assertThrows(BlockedForeverException.class, stuck::get);
                Fiber.sleep(HubWatchdog.THRESHOLD_MS); // a few watchdog periods: fiber counts
            });
            r.stop();
            r.dump(file);
            assertTrue(String.join("\n", log.messages()).contains("'hog'"), "the watchdog logged it too");
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> waits = events.stream().filter(e -> e.getEventType().getName().equals("weft.FiberWait")).toList();
        assertTrue(waits.stream().anyMatch(e -> e.getString("fiber").contains("long-waiter")
                && e.getString("waitedOn").equals("sleep") && e.getDuration().toMillis() >= 59), "waits: " + waits);
        assertTrue(waits.stream().allMatch(e -> e.getDuration().toMillis() >= 20), "only waits over the threshold: " + waits);

        String me = Thread.currentThread().getName();
        List<RecordedEvent> blocked = events.stream().filter(e -> e.getEventType().getName().equals("weft.HubBlocked")
                && e.getString("hubThread").equals(me)).toList();
        assertEquals(1, blocked.size(), "one report per episode: " + blocked);
        assertTrue(blocked.get(0).getString("fiber").contains("'hog'"), blocked.toString());
        assertEquals("TIMED_WAITING", blocked.get(0).getString("threadState"));
        assertTrue(blocked.get(0).getString("stack").contains("java.lang.Thread.sleep"), blocked.toString());
        assertTrue(blocked.get(0).getLong("blockedMillis") >= HubWatchdog.THRESHOLD_MS, blocked.toString());

        List<RecordedEvent> stalls = events.stream().filter(e -> e.getEventType().getName().equals("weft.HubStalled")).toList();
        assertEquals(1, stalls.size(), stalls.toString());
        assertTrue(stalls.get(0).getString("report").contains("'stuck' WAITING on Event(clear"), stalls.toString());

        List<RecordedEvent> counts = events.stream().filter(e -> e.getEventType().getName().equals("weft.FiberCounts")
                && e.getString("hubThread").equals(Thread.currentThread().getName())).toList(); // ours, not other tests' hubs
        assertTrue(!counts.isEmpty(), "fiber counts at every watchdog period");
        RecordedEvent last = counts.get(counts.size() - 1);
        assertTrue(last.getLong("spawned") >= 5 && last.getLong("ended") == last.getLong("spawned") - last.getLong("live"),
                last.toString());
    }
}
