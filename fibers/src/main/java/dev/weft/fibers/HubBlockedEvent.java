package dev.weft.fibers;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: the watchdog found a hub thread that stopped switching (a fiber computing, a
 * thread-blocking call, a monitor held across a switch); emitted once per episode, with the report
 * the watchdog logs.
 */
@Name("weft.HubBlocked")
@Label("Hub Blocked")
@Category("Weft")
@Description("A fiber blocked its hub thread: no switch for longer than the watchdog threshold")
@StackTrace(false)
final class HubBlockedEvent extends jdk.jfr.Event {
    @Label("Hub Thread")
    String hubThread;

    @Label("Fiber")
    String fiber;

    @Label("Blocked For")
    @Timespan(Timespan.MILLISECONDS)
    long blockedMillis;

    @Label("Thread State")
    String threadState;

    @Label("Hub Thread Stack")
    String stack;
}
