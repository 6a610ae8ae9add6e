package dev.weft.hub.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what a {@link System.Logger} (routed to {@code java.util.logging}, the JDK's default)
 * logs under a name prefix, instead of printing it, so that a test that provokes an error can assert
 * the log and a passing run stays quiet. Use in try-with-resources; closing restores the logger.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("dev.weft.fibers")) {
 *     ...
 *     assertTrue(log.contains(Level.SEVERE, "failed"), log.toString());
 * }
 * }</pre>
 *
 * Thread rule: any thread; records from every thread are kept in order of arrival.
 */
public final class LogCapture implements AutoCloseable {
    private static final SimpleFormatter FORMAT = new SimpleFormatter();
    private final Logger logger;
    private final boolean parentHandlers;
    private final Level level;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        this.parentHandlers = logger.getUseParentHandlers();
        this.level = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
    }

    /** Starts capturing everything logged by {@code name} and the loggers below it; nothing of it is printed. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** Captures what the logger named after {@code type} logs (the convention in Weft). */
    public static LogCapture of(Class<?> type) {
        return of(type.getName());
    }

    /** The records so far. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The formatted messages at {@code level} or above, each followed by its exception's text if any. */
    public List<String> messages(Level atLeast) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records()) {
            if (r.getLevel().intValue() >= atLeast.intValue()) {
                String text = FORMAT.formatMessage(r);
                out.add(r.getThrown() == null ? text : text + " | " + r.getThrown());
            }
        }
        return out;
    }

    /** True if a record at {@code level} or above contains {@code text} (in its message or exception). */
    public boolean contains(Level atLeast, String text) {
        return messages(atLeast).stream().anyMatch(m -> m.contains(text));
    }

    /** Stops capturing and restores the logger's level and parent handlers. */
    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
        logger.setLevel(level);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("captured log of ").append(logger.getName()).append(':');
        for (LogRecord r : records()) {
            sb.append("\n  ").append(r.getLevel()).append(' ').append(FORMAT.formatMessage(r));
            if (r.getThrown() != null) {
                sb.append(" | ").append(r.getThrown());
            }
        }
        return sb.toString();
    }
}
