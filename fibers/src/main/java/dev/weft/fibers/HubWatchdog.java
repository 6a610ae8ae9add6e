package dev.weft.fibers;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a hub thread that stopped switching: a fiber computing for a long time, a call that
 * blocks the thread ({@code Thread.sleep}, a blocking JDK socket, {@code Object.wait}), or a
 * monitor held across a switch by another fiber of the same hub (on JDK 24+ {@code synchronized}
 * does not pin a continuation, so a second fiber entering the monitor blocks the hub thread
 * forever). It logs, once per episode, "hub blocked for N ms" with the hub thread's stack and the
 * running fiber's name, at WARNING on the {@code System.Logger} named {@code dev.weft.fibers.HubWatchdog}.
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
 * One daemon thread serves every hub of the JVM; it only reads counters, never touches a hub.
 */
final class HubWatchdog {
    static final long THRESHOLD_MS = Long.getLong("weft.watchdog.ms", 1000L);
    private static final System.Logger LOG = System.getLogger(HubWatchdog.class.getName());
    private static final Set<Hub> HUBS = ConcurrentHashMap.newKeySet();
    private static volatile Thread thread;

    private HubWatchdog() {
    }

    static void watch(Hub hub) {
        if (THRESHOLD_MS <= 0) {
            return;
        }
        HUBS.add(hub);
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
        long period = Math.max(10, THRESHOLD_MS / 4);
        while (true) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Hub hub : HUBS) {
                check(hub, now);
            }
            JfrEvents.refresh(); // issue 14: a recording started since, and the periodic fiber counts
            if (JfrEvents.active) {
                JfrEvents.fiberCounts(HubDump.hubs());
            }
        }
    }

    private static void check(Hub hub, long now) {
        long iterations = hub.iterations();
        if (iterations != hub.watchedIterations || hub.loop.isPolling()) {
            hub.watchedIterations = iterations;
            hub.watchedSince = now;
            hub.watchdogReported = false;
            return;
        }
        long blockedMs = (now - hub.watchedSince) / 1_000_000L;
        if (blockedMs < THRESHOLD_MS || hub.watchdogReported) {
            return;
        }
        hub.watchdogReported = true;
        String report = report(hub, blockedMs);
        LOG.log(System.Logger.Level.WARNING, report);
        if (JfrEvents.active) { // issue 14: the same episode as a JFR event
            Thread t = hub.thread();
            JfrEvents.hubBlocked(t.getName(), hub.runningFiberName(), blockedMs, t.getState().name(),
                    report.substring(Math.max(0, report.indexOf("\n\tat "))));
        }
    }

    /** The report: how long, the thread's state, the running fiber, what the call is and what to use instead, the stack. */
    static String report(Hub hub, long blockedMs) {
        Thread t = hub.thread();
        Thread.State state = t.getState();
        StackTraceElement[] stack = t.getStackTrace();
        StringBuilder sb = new StringBuilder("hub blocked for ").append(blockedMs).append(" ms: thread '")
                .append(t.getName()).append("' is ").append(state).append(", running fiber ")
                .append(hub.runningFiberName()).append('.');
        if (state == Thread.State.BLOCKED) {
            StackTraceElement at = stack.length > 0 ? stack[0] : null;
            sb.append(" It waits for a monitor (synchronized) at ").append(at).append(": most likely another fiber of"
                    + " this hub switched while holding it (synchronized does not pin fibers on JDK 24+), and that"
                    + " fiber can never run again to release it, since it runs on this very thread.");
            java.util.List<String> holders = BlockingCall.possibleHolders(at, hub.fibersWhileStuck());
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
