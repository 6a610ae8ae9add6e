package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class HubWatchdogTest {

    @Test
    void aFiberThatBlocksTheHubThreadIsReported() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(HubWatchdog.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                messages.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            long threshold = HubWatchdog.THRESHOLD_MS;
            Hub.run(() -> {
                Fiber.spawn("sleepy", () -> {
                    try {
                        Thread.sleep(threshold * 3); // blocks the hub thread: exactly what the watchdog is for
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).join();
            });
        } finally {
            logger.removeHandler(handler);
        }
        String all = String.join("\n---\n", messages);
        assertTrue(all.contains("hub blocked for"), all);
        assertTrue(all.contains("'sleepy'") && all.contains("TIMED_WAITING") && all.contains("Thread.sleep"), all);
        assertTrue(messages.size() == 1, "reported once per episode: " + all);
    }
}
