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
        Thread t = hub.thread();
        Thread.State state = t.getState();
        StringBuilder sb = new StringBuilder("hub blocked for ").append(blockedMs).append(" ms: thread '")
                .append(t.getName()).append("' is ").append(state).append(", running fiber ")
                .append(hub.runningFiberName()).append('.');
        if (state == Thread.State.BLOCKED) {
            sb.append(" It waits for a monitor: most likely another fiber of this hub switched while holding it"
                    + " (synchronized does not pin fibers on JDK 24+). Use a fiber lock instead of synchronized"
                    + " around blocking calls.");
        } else if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
            sb.append(" A thread-blocking call (Thread.sleep, Object.wait, LockSupport.park, a blocking JDK"
                    + " socket) stops every fiber of the hub; use the fiber version or ThreadPool offload.");
        } else {
            sb.append(" A fiber runs without blocking; long computations should call Fiber.yield() now and then"
                    + " or move to a thread pool.");
        }
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            stack.append("\n\tat ").append(e);
        }
        sb.append(stack);
        LOG.log(System.Logger.Level.WARNING, sb.toString());
        if (JfrEvents.active) {
            JfrEvents.hubBlocked(t.getName(), hub.runningFiberName(), blockedMs, state.name(), stack.toString());
        }
    }
}
