package dev.weft.fibers;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JFR event: a fiber waited (parked in a blocking call) at least the threshold (20 ms unless the
 * recording says otherwise). Its duration is the wait; committed on the hub thread when the fiber
 * resumes. Enabling it turns on wait timing (one clock read per park while it is enabled; none
 * otherwise).
 */
@Name("weft.FiberWait")
@Label("Fiber Wait")
@Category("Weft")
@Description("A fiber waited in a blocking call longer than the threshold")
@Threshold("20 ms")
@StackTrace(false)
final class FiberWaitEvent extends jdk.jfr.Event {
    @Label("Fiber")
    String fiber;

    @Label("Waited On")
    String waitedOn;
}
