package dev.weft.fibers;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a hub stalled, no fiber could ever run again (the waiting fibers then get
 * {@link BlockedForeverException}); carries the same report, every live fiber with what it waits
 * on and where.
 */
@Name("weft.HubStalled")
@Label("Hub Stalled")
@Category("Weft")
@Description("No fiber of the hub can ever run again: the waiting ones are failed with BlockedForeverException")
@StackTrace(false)
final class HubStalledEvent extends jdk.jfr.Event {
    @Label("Hub Thread")
    String hubThread;

    @Label("Live Fibers")
    int liveFibers;

    @Label("Report")
    String report;
}
