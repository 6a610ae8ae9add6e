package dev.weft.fibers;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event, one per hub at every watchdog period (a quarter of {@code weft.watchdog.ms}, 250 ms by
 * default; none with the watchdog off): fibers spawned and ended since the hub opened, and live
 * now. Read from the watchdog thread without synchronisation: each figure is a recent value.
 */
@Name("weft.FiberCounts")
@Label("Fiber Counts")
@Category("Weft")
@Description("Fibers spawned, ended and live, per hub")
@StackTrace(false)
final class FiberCountsEvent extends jdk.jfr.Event {
    @Label("Hub Thread")
    String hubThread;

    @Label("Spawned")
    long spawned;

    @Label("Ended")
    long ended;

    @Label("Live")
    long live;
}
