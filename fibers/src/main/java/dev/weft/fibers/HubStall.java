package dev.weft.fibers;

/**
 * What a hub does when nothing can ever wake any of its waiting fibers (the loop's stall handler:
 * no fiber runnable, no timer, I/O wait, cross-thread task or keep-alive): it fails the waiters
 * with a {@link BlockedForeverException} whose message lists every live fiber and what each waits
 * on (gevent's "This operation would block forever", with the report gevent lacks); and how such a
 * report describes one fiber. Hub thread.
 */
final class HubStall {
    private HubStall() {
    }

    /**
     * Fails the fibers that wait on something other than another fiber's end (a waiter, an event, a
     * queue): nothing else can complete it. If every waiting fiber is joining another, there is a
     * join cycle: fails only its oldest member, whose unwinding ends the others' joins.
     */
    static void onStall(HubCore hub) {
        stallEvent(hub); // issue 14: JFR
        StringBuilder report = new StringBuilder("This fiber would wait forever: no fiber is runnable and no timer,"
                + " I/O wait, cross-thread task or keep-alive can wake any of them. Live fibers on hub thread '")
                .append(hub.thread.getName()).append("':");
        for (FiberCore f = hub.live.head(); f != null; f = f.nextLive) {
            report.append("\n  ").append(describe(f));
        }
        String text = report.toString();
        boolean any = false;
        for (FiberCore f = hub.live.head(); f != null; f = f.nextLive) {
            if (f.state == FiberState.WAITING && !(f.blocker instanceof Fiber<?>)) {
                fail(f, text);
                any = true;
            }
        }
        if (any) {
            return;
        }
        FiberCore victim = null;
        for (FiberCore f = hub.live.head(); f != null; f = f.nextLive) {
            if (f.state == FiberState.WAITING && inJoinCycle(hub, f) && (victim == null || f.face.id() < victim.face.id())) {
                victim = f;
            }
        }
        for (FiberCore f = hub.live.head(); f != null; f = f.nextLive) {
            if (f.state == FiberState.WAITING && (victim == null || f == victim)) {
                fail(f, text);
            }
        }
    }

    private static void fail(FiberCore f, String report) {
        f.extras().stallReport = report;
        f.interrupt(FiberCore.STALL);
    }

    private static boolean inJoinCycle(HubCore hub, FiberCore start) {
        Object next = start.blocker;
        for (int steps = 0; steps <= hub.live.count() && next instanceof Fiber<?> f; steps++) {
            if (f.core == start) {
                return true;
            }
            next = f.core.state == FiberState.WAITING ? f.core.blocker : null;
        }
        return false;
    }

    private static void stallEvent(HubCore hub) {
        if (JfrEvents.active && JfrEvents.stalledEnabled()) {
            StringBuilder report = new StringBuilder();
            for (FiberCore f = hub.live.head(); f != null; f = f.nextLive) {
                report.append(describe(f)).append('\n');
            }
            JfrEvents.hubStalled(hub.thread.getName(), hub.live.count(), report.toString());
        }
    }

    /** A one-line description of {@code f} for reports: state, what it waits on, where. */
    static String describe(FiberCore f) {
        StringBuilder sb = new StringBuilder().append(f.face).append(' ').append(f.state);
        if (f.state == FiberState.WAITING && f.blocker != null) {
            sb.append(" on ").append(f.blocker instanceof Fiber<?> j ? "join of fiber " + j : f.blocker);
        }
        if (f.state == FiberState.WAITING || f.state == FiberState.SCHEDULED) {
            for (StackTraceElement e : f.suspendedStack()) {
                if (isUserFrame(e.getClassName())) {
                    sb.append(" at ").append(e);
                    break;
                }
            }
        }
        return sb.toString();
    }

    /** Whether a stack frame is the user's code rather than Weft's or the JDK's (tests count as user code). */
    private static boolean isUserFrame(String className) {
        if (className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")) {
            return false;
        }
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        boolean weft = pkg.equals("dev.weft.fibers") || pkg.equals("dev.weft.hub") || pkg.startsWith("dev.weft.fibers.")
                || pkg.equals("dev.weft.sockets") || pkg.startsWith("dev.weft.sockets.");
        if (!weft) {
            return true;
        }
        String simple = className.substring(dot + 1);
        int nested = simple.indexOf('$');
        String top = nested < 0 ? simple : simple.substring(0, nested);
        return top.endsWith("Test") || top.endsWith("Tests");
    }
}
