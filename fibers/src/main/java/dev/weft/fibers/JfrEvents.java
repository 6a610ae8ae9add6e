package dev.weft.fibers;

import jdk.jfr.FlightRecorder;

/**
 * Where Weft emits its JFR events ({@link FiberWaitEvent}, {@link HubBlockedEvent},
 * {@link HubStalledEvent}, {@link FiberCountsEvent}), and the switch that keeps them free when JFR
 * is not in use.
 *
 * <p>Implementation notes: loading or instantiating a {@code jdk.jfr.Event} subclass initializes
 * JFR (measured here: about 1–2.7 s and 17 MB for a JVM that records nothing), so no event class
 * is touched until {@link FlightRecorder#isInitialized()} says JFR is up ({@code
 * -XX:StartFlightRecording}, {@code jcmd <pid> JFR.start}, or a {@code Recording} started in code).
 * That check runs on the watchdog thread at every watchdog period (a quarter of
 * {@code weft.watchdog.ms}), never on a hub thread: in a cold JVM, loading {@code FlightRecorder}
 * on the hub thread measurably delayed the hub's first timers (a 5 ms timeout fired after a 30 ms
 * one in 3 of 9 runs of TimeoutTest, 0 of 4 without it). So a recording is noticed within one
 * period, and with the watchdog off ({@code -Dweft.watchdog.ms=0}) Weft emits no JFR events. Callers check
 * {@link #active} (a volatile read) before calling anything else here, and pass only plain types,
 * so that their own classes never refer to an event class.
 */
final class JfrEvents {
    /** Whether JFR is initialized in this JVM (it never goes back once it is). */
    static volatile boolean active;

    private JfrEvents() {
    }

    /** Notices a JFR that started since the last call. Any thread. */
    static void refresh() {
        if (!active && FlightRecorder.isInitialized()) {
            active = true;
        }
    }

    /** Never committed: asks whether weft.FiberWait is being recorded; loaded only once JFR is up. */
    private static final class Probe {
        static final FiberWaitEvent WAIT = new FiberWaitEvent();
    }

    /** Whether a recording takes weft.FiberWait now (a static read once JFR instruments the class). */
    static boolean waitEventEnabled() {
        return Probe.WAIT.isEnabled();
    }

    /** A begun wait event. Hub thread. */
    static Object beginWait() {
        FiberWaitEvent e = new FiberWaitEvent();
        e.begin();
        return e;
    }

    /** Ends a wait event from {@link #beginWait}; commits it if it lasted the threshold. Hub thread. */
    static void endWait(Object event, FiberCore fiber, Object blocker) {
        FiberWaitEvent e = (FiberWaitEvent) event;
        e.end();
        if (e.shouldCommit()) {
            e.fiber = fiber.toString();
            e.waitedOn = blocker instanceof Fiber<?> j ? "join of fiber " + j : String.valueOf(blocker);
            e.commit();
        }
    }

    /** The watchdog's report, as an event. Watchdog thread. */
    static void hubBlocked(String hubThread, String fiber, long blockedMillis, String threadState, String stack) {
        HubBlockedEvent e = new HubBlockedEvent();
        if (e.isEnabled()) {
            e.hubThread = hubThread;
            e.fiber = fiber;
            e.blockedMillis = blockedMillis;
            e.threadState = threadState;
            e.stack = stack;
            e.commit();
        }
    }

    /** Whether weft.HubStalled is being recorded (the caller builds the report only then). Hub thread. */
    static boolean stalledEnabled() {
        return new HubStalledEvent().isEnabled();
    }

    static void hubStalled(String hubThread, int liveFibers, String report) {
        HubStalledEvent e = new HubStalledEvent();
        e.hubThread = hubThread;
        e.liveFibers = liveFibers;
        e.report = report;
        e.commit();
    }

    /** One weft.FiberCounts event per open hub. Watchdog thread. */
    static void fiberCounts(Iterable<Hub> hubs) {
        if (!new FiberCountsEvent().isEnabled()) {
            return;
        }
        for (Hub hub : hubs) {
            FiberCountsEvent e = new FiberCountsEvent();
            e.hubThread = hub.thread().getName();
            e.live = hub.core.live.count();
            e.spawned = hub.core.live.spawnedCount();
            e.ended = e.spawned - e.live;
            e.commit();
        }
    }
}
