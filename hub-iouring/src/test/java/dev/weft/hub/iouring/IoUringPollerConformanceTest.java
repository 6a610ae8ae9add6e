package dev.weft.hub.iouring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.hub.Availability;
import dev.weft.hub.HubBackend;
import dev.weft.testsuite.PollerConformanceTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The shared poller contract on io_uring; skipped, naming the reason, where this machine refuses io_uring. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
class IoUringPollerConformanceTest extends PollerConformanceTest {
    @Override
    protected HubBackend backend() {
        IoUringBackend backend = new IoUringBackend();
        Availability a = backend.availability();
        assumeTrue(a.available(), () -> "SKIPPED: io_uring cannot run here: " + a.describe());
        return backend;
    }
}
