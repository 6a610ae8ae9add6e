package dev.weft.fibers;

/**
 * What a hub does when nothing can ever wake any of its waiting fibers (the loop's stall handler:
 * no fiber runnable, no timer, I/O wait, cross-thread task or keep-alive): it fails the waiters
 * with a {@link BlockedForeverException} whose message lists every live fiber and what each waits
 * on (gevent's "This operation would block forever", with the report gevent lacks). Hub thread.
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
            report.append("\n  ").append(f.describe());
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
                report.append(f.describe()).append('\n');
            }
            JfrEvents.hubStalled(hub.thread.getName(), hub.live.count(), report.toString());
        }
    }
}
