package dev.weft.fibers;

import java.util.IdentityHashMap;

/**
 * How long fibers wait, for {@link Hub#dump()} and the {@code weft.FiberWait} JFR event. Off by
 * default, at the cost of two static reads per park; on with {@code -Dweft.dump.waits=true} or
 * while a JFR recording takes {@code weft.FiberWait} (see {@link JfrEvents}): then each park reads
 * the clock and notes the fiber in its hub's map until it resumes.
 */
final class WaitTiming {
    static final boolean DUMP_WAITS = Boolean.getBoolean("weft.dump.waits");
    /** A park in progress: when it began, and its JFR event (an Object: see JfrEvents) if one is being recorded. */
    record Mark(long start, Object event) {
    }

    private WaitTiming() {
    }

    /** Loads and initialises this class (and {@link Mark}) when a hub opens, so the first park does not pay for it. */
    static void preload() {
        if (DUMP_WAITS) {
            new Mark(0, null).start();
        }
    }

    /** Whether parks are timed now (two static reads). */
    static boolean isOn() {
        return DUMP_WAITS || (JfrEvents.active && JfrEvents.waitEventEnabled());
    }

    /** Called by a fiber about to wait (after {@link #isOn()} said yes): notes when it began. */
    static void started(FiberCore f) {
        boolean jfr = JfrEvents.active && JfrEvents.waitEventEnabled();
        if (!DUMP_WAITS && !jfr) {
            return; // JFR stopped since isOn()
        }
        Object event = jfr ? JfrEvents.beginWait() : null;
        f.hub.waitMarks().put(f, new Mark(f.hub.loop.nanoTime(), event));
    }

    /** Called by the fiber once it runs again (or failed to switch); nothing if {@link #started} noted nothing. */
    static void ended(FiberCore f, Object blocker) {
        IdentityHashMap<FiberCore, Mark> map = f.hub.waitSinceMap();
        Mark m = map == null ? null : map.remove(f);
        if (m == null || m.event() == null) {
            return;
        }
        JfrEvents.endWait(m.event(), f, blocker);
    }
}
