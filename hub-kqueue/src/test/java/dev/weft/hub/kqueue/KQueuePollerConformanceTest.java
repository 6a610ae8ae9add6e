package dev.weft.hub.kqueue;

import dev.weft.hub.HubBackend;
import dev.weft.testsuite.PollerConformanceTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(value = {OS.MAC, OS.FREEBSD, OS.OPENBSD}, disabledReason = "kqueue exists only on macOS and the BSDs")
class KQueuePollerConformanceTest extends PollerConformanceTest {
    @Override
    protected HubBackend backend() {
        return new KQueueBackend();
    }
}
