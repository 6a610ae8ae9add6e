package dev.weft.fibers;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures (and silences) the watchdog's log while a test blocks a hub thread on purpose. */
final class WatchdogLog implements AutoCloseable {
    private final Logger logger = Logger.getLogger(HubWatchdog.class.getName());
    private final boolean parents = logger.getUseParentHandlers();
    final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
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

    WatchdogLog() {
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parents);
    }
}
