package dev.weft.fibers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a hub thread that stopped switching: a fiber computing for a long time, a call that
 * blocks the thread ({@code Thread.sleep}, a blocking JDK socket, {@code Object.wait}), or a
 * monitor held across a switch by another fiber of the same hub (on JDK 24+ {@code synchronized}
 * does not pin a continuation, so a second fiber entering the monitor blocks the hub thread
 * forever). It logs, once per episode, "hub blocked for N ms" with the hub thread's stack and the
 * running fiber's name, at WARNING on the {@code System.Logger} named {@code dev.weft.fibers.HubWatchdog}.
 *
 * <p>Short stalls add up: a hub blocked again and again for less than the threshold (ten 300 ms
 * blocking queries) is reported too, once the stalls within a window of ten thresholds (10 s by
 * default) add up to the threshold: "hub blocked N times for T ms in all within the last W ms", with
 * the longest and the stack and description of the last one, taken while it blocked. The hub is
 * sampled every tenth of the threshold (at most every 50 ms), so stalls shorter than that may be
 * missed and the durations are accurate to about one sampling period.
 *
 * <p>The report says what the call is ({@link BlockingCall}): a JDK socket, {@code Thread.sleep},
 * {@code Object.wait}, a future, a lock, a name lookup, file I/O, or a fiber computing; the blocking
 * JDK frame, the first frame outside the JDK that called it (a driver), the code that reached it,
 * and the Weft bridge to use instead ({@code FiberSocketFactory}, {@code Fiber.await}, {@code
 * Resolver}, {@code ThreadPool.offload}...). A hub thread BLOCKED on a monitor is named as such, with
 * the parked fibers that may hold the monitor (the JVM does not tell: see
 * {@link BlockingCall#possibleHolders}).
 *
 * <p>On by default; {@code -Dweft.watchdog.ms=N} sets the threshold (default 1000), 0 turns it off.
 * One daemon thread serves every hub of the JVM; it only reads counters and the hub thread's stack,
 * never touches a hub.
 */
final class HubWatchdog {
    static final long THRESHOLD_MS = Long.getLong("weft.watchdog.ms", 1000L);
    /** Short stalls are added up over this long. */
    static final long WINDOW_MS = 10 * THRESHOLD_MS;
    /** How often each hub is looked at. */
    static final long PERIOD_MS = Math.max(5, Math.min(50, THRESHOLD_MS / 10));
    private static final System.Logger LOG = System.getLogger(HubWatchdog.class.getName());
    private static final Map<Hub, Watch> HUBS = new ConcurrentHashMap<>();
    private static volatile Thread thread;

    /** What the watchdog thread knows about one hub; touched by that thread only. */
    private static final class Watch {
        /** The hub's iteration count at the last change, and when that change was seen. */
        long iterations = -1;
        long since;
        /** Whether the current episode was reported as one long stall. */
        boolean reported;
        /** The current stall's description, taken at its first sample (null: no stall now). */
        String stall;
        /** The window of short stalls: its start, the stalls in it, their total and the longest. */
        long windowStart;
        int stalls;
        long blockedNanos;
        long longestNanos;
        String lastStall;
    }

    private HubWatchdog() {
    }

    static void watch(Hub hub) {
        if (THRESHOLD_MS <= 0) {
            return;
        }
        HUBS.putIfAbsent(hub, new Watch());
        if (thread == null) {
            start();
        }
    }

    static void unwatch(Hub hub) {
        HUBS.remove(hub);
    }

    private static synchronized void start() {
        if (thread != null) {
            return;
        }
        Thread t = new Thread(HubWatchdog::loop, "weft-watchdog");
        t.setDaemon(true);
        t.start();
        thread = t;
    }

    private static void loop() {
        long jfrEvery = Math.max(1, Math.max(10, THRESHOLD_MS / 4) / PERIOD_MS);
        for (long tick = 0; ; tick++) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Map.Entry<Hub, Watch> e : HUBS.entrySet()) {
                check(e.getKey(), e.getValue(), now);
            }
            if (tick % jfrEvery == 0) {
                JfrEvents.refresh(); // issue 14: a recording started since, and the periodic fiber counts
                if (JfrEvents.active) {
                    JfrEvents.fiberCounts(HubDump.hubs());
                }
            }
        }
    }

    private static void check(Hub hub, Watch w, long now) {
        long iterations = hub.core.iterations();
        if (iterations != w.iterations || hub.loop.isPolling()) {
            if (w.stall != null && !w.reported) {
                shortStallEnded(hub, w, now - w.since, now);
            }
            w.iterations = iterations;
            w.since = now;
            w.reported = false;
            w.stall = null;
            return;
        }
        if (w.stall == null) { // stuck since the last sample: say what it is in, while it is in it
            Thread t = hub.thread();
            w.stall = describe(hub, t.getState(), t.getStackTrace());
        }
        long blockedMs = (now - w.since) / 1_000_000L;
        if (blockedMs < THRESHOLD_MS || w.reported) {
            return;
        }
        w.reported = true;
        String report = report(hub, blockedMs);
        LOG.log(System.Logger.Level.WARNING, report);
        jfr(hub, blockedMs, report);
    }

    /** A stall shorter than the threshold ended: add it to the window, and report once they add up. */
    private static void shortStallEnded(Hub hub, Watch w, long nanos, long now) {
        if (w.stalls == 0 || now - w.windowStart > WINDOW_MS * 1_000_000L) {
            w.windowStart = now - nanos;
            w.stalls = 0;
            w.blockedNanos = 0;
            w.longestNanos = 0;
        }
        w.stalls++;
        w.blockedNanos += nanos;
        w.longestNanos = Math.max(w.longestNanos, nanos);
        w.lastStall = w.stall;
        if (w.blockedNanos / 1_000_000L < THRESHOLD_MS) {
            return;
        }
        long totalMs = w.blockedNanos / 1_000_000L;
        String report = "hub blocked " + w.stalls + " times for " + totalMs + " ms in all within the last "
                + (now - w.windowStart) / 1_000_000L + " ms (each shorter than the " + THRESHOLD_MS
                + " ms threshold, the longest " + w.longestNanos / 1_000_000L + " ms): short stalls that add up stop"
                + " every fiber of the hub as one long one does. The last of them: " + w.lastStall;
        w.stalls = 0;
        LOG.log(System.Logger.Level.WARNING, report);
        jfr(hub, totalMs, report);
    }

    private static void jfr(Hub hub, long blockedMs, String report) {
        if (JfrEvents.active) { // issue 14: the same episode as a JFR event
            Thread t = hub.thread();
            JfrEvents.hubBlocked(t.getName(), hub.core.runningFiberName(), blockedMs, t.getState().name(),
                    report.substring(Math.max(0, report.indexOf("\n\tat "))));
        }
    }

    /** The report: how long, the thread's state, the running fiber, what the call is and what to use instead, the stack. */
    static String report(Hub hub, long blockedMs) {
        Thread t = hub.thread();
        return "hub blocked for " + blockedMs + " ms: " + describe(hub, t.getState(), t.getStackTrace());
    }

    /** The thread's state, the running fiber, what the call is and what to use instead, the stack. */
    private static String describe(Hub hub, Thread.State state, StackTraceElement[] stack) {
        Thread t = hub.thread();
        StringBuilder sb = new StringBuilder("thread '")
                .append(t.getName()).append("' is ").append(state).append(", running fiber ")
                .append(hub.core.runningFiberName()).append('.');
        if (state == Thread.State.BLOCKED) {
            StackTraceElement at = stack.length > 0 ? stack[0] : null;
            sb.append(" It waits for a monitor (synchronized) at ").append(at).append(": most likely another fiber of"
                    + " this hub switched while holding it (synchronized does not pin fibers on JDK 24+), and that"
                    + " fiber can never run again to release it, since it runs on this very thread.");
            java.util.List<String> holders = BlockingCall.possibleHolders(at, hub.core.live.whileStuck());
            if (holders.isEmpty()) {
                sb.append("\n  holder: no parked fiber's stack shows where it was taken (a synchronized block in code"
                        + " this report cannot read, or a thread other than the hub holds it)");
            } else {
                sb.append("\n  holder: ").append(holders.get(0));
                for (int i = 1; i < holders.size(); i++) {
                    sb.append("\n  or:     ").append(holders.get(i));
                }
            }
            sb.append("\n  instead: use a fiber lock (dev.weft.fibers.Lock) instead of synchronized around blocking calls;"
                    + " this hub cannot recover.");
        } else {
            sb.append(BlockingCall.of(stack, state).describe());
        }
        for (StackTraceElement e : stack) {
            sb.append("\n\tat ").append(e);
        }
        return sb.toString();
    }
}
