package dev.weft.fibers;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a class logs through {@link System.Logger} (backed by java.util.logging in tests)
 * instead of printing it, so that tests which provoke errors can assert them and stay quiet.
 */
final class LogCapture extends Handler {
    private final Logger logger;
    private final boolean parentHandlers;
    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.parentHandlers = logger.getUseParentHandlers();
    }

    /** Starts capturing the records of the logger named after {@code source}. */
    static LogCapture start(Class<?> source) {
        Logger logger = Logger.getLogger(source.getName());
        LogCapture capture = new LogCapture(logger);
        logger.addHandler(capture);
        logger.setUseParentHandlers(false);
        return capture;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Stops capturing; the logger prints as before. */
    void stop() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }

    /** Every captured message (with its exception's text), one per line. */
    synchronized String text() {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : records) {
            sb.append(r.getLevel()).append(' ').append(r.getMessage());
            if (r.getThrown() != null) {
                sb.append(" / ").append(r.getThrown());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    synchronized int count() {
        return records.size();
    }
}
