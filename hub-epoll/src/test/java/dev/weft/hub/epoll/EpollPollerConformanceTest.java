package dev.weft.hub.epoll;

import dev.weft.hub.HubBackend;
import dev.weft.testsuite.PollerConformanceTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll exists only on Linux")
class EpollPollerConformanceTest extends PollerConformanceTest {
    @Override
    protected HubBackend backend() {
        return new EpollBackend();
    }
}
