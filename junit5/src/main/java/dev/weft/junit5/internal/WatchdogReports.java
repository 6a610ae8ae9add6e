package dev.weft.junit5.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Takes the hub watchdog's reports about the hub threads of running fiber tests out of the log, so that
 * the test fails with them instead: a filter on the watchdog's {@code java.util.logging} logger (where
 * {@link System.Logger} goes by default) keeps the reports that name such a thread and passes the rest on.
 * Where {@code System.Logger} is routed elsewhere (SLF4J's {@code System.LoggerFinder}), the reports stay
 * in that log and the tests do not see them. Any thread.
 */
public final class WatchdogReports {
    /** Held here: java.util.logging keeps loggers only weakly, and the filter lives on this one. */
    private static final Logger LOGGER = Logger.getLogger("dev.weft.fibers.HubWatchdog");
    private static final Map<String, List<String>> BY_THREAD = new ConcurrentHashMap<>();
    private static boolean installed;

    private WatchdogReports() {
    }

    /**
     * From now on, reports naming the hub thread {@code threadName} are kept for {@link #stop}, not logged;
     * false (and nothing changes) if that name is watched already: the caller picks another.
     */
    public static boolean watch(String threadName) {
        install();
        return BY_THREAD.putIfAbsent(threadName, new CopyOnWriteArrayList<>()) == null;
    }

    /** The reports about {@code threadName} since {@link #watch}; later ones are logged again. */
    public static List<String> stop(String threadName) {
        List<String> reports = BY_THREAD.remove(threadName);
        return reports == null ? List.of() : List.copyOf(reports);
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        Filter previous = LOGGER.getFilter();
        LOGGER.setFilter(record -> {
            if (keep(record)) {
                return false;
            }
            return previous == null || previous.isLoggable(record);
        });
        installed = true;
    }

    private static boolean keep(LogRecord record) {
        String message = record.getMessage();
        if (message == null || BY_THREAD.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, List<String>> e : BY_THREAD.entrySet()) {
            if (message.contains("thread '" + e.getKey() + "'")) {
                e.getValue().add(message);
                return true;
            }
        }
        return false;
    }
}
