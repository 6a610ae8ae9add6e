package dev.weft.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what a {@link System.Logger} (routed to {@code java.util.logging}, the JDK's default) logs
 * under a name prefix instead of printing it, so that a test that provokes an error can assert the log
 * and a passing run stays quiet. Use it in try-with-resources; closing restores the logger.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(Hub.class)) {
 *     ...
 *     assertTrue(log.contains(Level.SEVERE, "failed"), log.toString());
 * }
 * }</pre>
 *
 * <p>Thread rule: any thread; records from every thread are kept in their order of arrival. Two captures
 * of the same logger at once both see its records; the first to close gives the console back.
 */
public final class LogCapture implements AutoCloseable {
    /** The logger of Weft's hub watchdog ({@code dev.weft.fibers.HubWatchdog}). */
    public static final String WATCHDOG = "dev.weft.fibers.HubWatchdog";
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
                records.notifyAll();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name, Level atLeast) {
        this.logger = Logger.getLogger(name);
        this.parentHandlers = logger.getUseParentHandlers();
        this.level = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(atLeast);
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
    }

    /**
     * Starts capturing what {@code name} and the loggers below it log at INFO and above (what the JDK's
     * default set-up prints); nothing of it is printed until {@link #close()}.
     */
    public static LogCapture of(String name) {
        return of(name, Level.INFO);
    }

    /** Captures what the logger named after {@code type} logs at INFO and above (the convention in Weft). */
    public static LogCapture of(Class<?> type) {
        return of(type.getName());
    }

    /**
     * Captures what {@code name} logs at {@code atLeast} and above ({@code Level.FINE} for
     * {@code System.Logger}'s DEBUG, {@code Level.ALL} for everything).
     */
    public static LogCapture of(String name, Level atLeast) {
        return new LogCapture(name, atLeast);
    }

    /** Captures (and silences) the hub watchdog's reports, for a test that blocks a hub on purpose. */
    public static LogCapture watchdog() {
        return of(WATCHDOG);
    }

    /** The records so far. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Every message captured so far (formatted, without its exception), in order. */
    public List<String> messages() {
        return records().stream().map(FORMAT::formatMessage).toList();
    }

    /** The messages at {@code atLeast} or above, each followed by {@code " / "} and its exception if it has one. */
    public List<String> messages(Level atLeast) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records()) {
            if (r.getLevel().intValue() >= atLeast.intValue()) {
                out.add(line(r));
            }
        }
        return out;
    }

    /** {@link #messages(Level)} at WARNING and above. */
    public List<String> warnings() {
        return messages(Level.WARNING);
    }

    /**
     * {@link #warnings()} once there are at least {@code count} of them, or when {@code within} has
     * passed (then whatever there is): for a record that another thread logs after the event the test
     * saw (a server's warning about a connection the client already gave up). Blocks the caller.
     */
    public List<String> awaitWarnings(int count, java.time.Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (records) {
            while (messages(Level.WARNING).size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                records.wait(Math.max(1, left / 1_000_000));
            }
        }
        return warnings();
    }

    /**
     * Whether a captured message contains {@code text}, waiting up to {@code within} for one: for a
     * record another thread logs after the event the test saw (a server logging why it dropped a
     * connection after closing it). Blocks the caller.
     */
    public boolean awaitMessage(String text, java.time.Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (records) {
            while (messages().stream().noneMatch(m -> m.contains(text))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                records.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** True if a record at {@code atLeast} or above contains {@code text} (in its message or exception). */
    public boolean contains(Level atLeast, String text) {
        return messages(atLeast).stream().anyMatch(m -> m.contains(text));
    }

    /** How many records were captured. */
    public int count() {
        synchronized (records) {
            return records.size();
        }
    }

    /** Every record as a line {@code LEVEL message [/ exception]}; empty if nothing was logged. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : records()) {
            sb.append(r.getLevel()).append(' ').append(line(r)).append('\n');
        }
        return sb.toString();
    }

    private static String line(LogRecord r) {
        String text = FORMAT.formatMessage(r);
        return r.getThrown() == null ? text : text + " / " + r.getThrown();
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
        return "captured log of " + logger.getName() + ":\n" + text();
    }
}
