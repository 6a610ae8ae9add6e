package dev.weft.bridges;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures the hub watchdog's reports during a test, off the console. */
final class WatchdogLog implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.weft.fibers.HubWatchdog");
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final boolean parents;
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
        parents = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    String text() {
        return String.join("\n---\n", messages);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parents);
    }
}
