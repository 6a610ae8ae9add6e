package dev.weft.http;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what the {@code dev.weft.http} logger reports (instead of printing it) while open. */
final class CapturedLog implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.weft.http");
    private final List<LogRecord> records = new ArrayList<>();
    private final boolean parents = logger.getUseParentHandlers();
    private final Level level = logger.getLevel();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (records) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    CapturedLog() {
        this(Level.INFO);
    }

    /** Captures records at {@code level} and above ({@code Level.FINE} for the DEBUG ones). */
    CapturedLog(Level level) {
        logger.setUseParentHandlers(false);
        logger.setLevel(level);
        logger.addHandler(handler);
    }

    /** Every message captured so far, in order. */
    List<String> messages() {
        synchronized (records) {
            return records.stream().map(LogRecord::getMessage).toList();
        }
    }

    /** Messages at WARNING or above, with their exception's message. */
    List<String> warnings() {
        synchronized (records) {
            return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .map(r -> r.getMessage() + (r.getThrown() == null ? "" : " / " + r.getThrown().getMessage()))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parents);
        logger.setLevel(level);
    }
}
