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

    /** Records the watchdog's log messages while attached. */
    private static Handler recorder(List<String> messages) {
        return new Handler() {
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
    }

    @Test
    void aFiberThatBlocksTheHubThreadIsReported() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(HubWatchdog.class.getName());
        Handler handler = recorder(messages);
        logger.addHandler(handler);
        logger.setUseParentHandlers(false); // captured and asserted, not printed
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
            logger.setUseParentHandlers(true);
        }
        String all = String.join("\n---\n", messages);
        assertTrue(all.contains("hub blocked for"), all);
        assertTrue(all.contains("'sleepy'") && all.contains("TIMED_WAITING") && all.contains("Thread.sleep"), all);
        assertTrue(messages.size() == 1, "reported once per episode: " + all);
    }

    private static final Object MONITOR = new Object();

    /**
     * JDK 24+: a fiber that switches inside {@code synchronized} keeps the monitor, and a second
     * fiber entering it blocks the hub thread for good. The hub cannot recover, so it runs on a
     * throw-away daemon thread; the test checks that the watchdog names the cause.
     */
    @Test
    void aMonitorHeldAcrossASwitchIsReported() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 24,
                "on JDK 21-23 synchronized pins, and the switch fails with FiberPinnedException instead");
        List<String> messages = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(HubWatchdog.class.getName());
        Handler handler = recorder(messages);
        logger.addHandler(handler);
        logger.setUseParentHandlers(false); // captured and asserted, not printed
        try {
            Thread hubThread = new Thread(() -> {
                try {
                    Hub.run(() -> {
                        Fiber.spawn("holder", () -> {
                            synchronized (MONITOR) {
                                Fiber.sleep(60_000);
                            }
                        });
                        Fiber.spawn("second", () -> {
                            synchronized (MONITOR) {
                                return "never";
                            }
                        });
                        Fiber.sleep(60_000);
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "doomed-hub");
            hubThread.setDaemon(true);
            hubThread.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (messages.stream().noneMatch(m -> m.contains("'doomed-hub'")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(hubThread.getState() == Thread.State.BLOCKED, "hub thread state " + hubThread.getState());
        } finally {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(true);
        }
        String all = String.join("\n---\n", messages);
        assertTrue(all.contains("'doomed-hub' is BLOCKED") && all.contains("'second'")
                && all.contains("waits for a monitor") && all.contains("synchronized"), all);
    }
}
