package dev.weft.hub.nio;

import dev.weft.hub.HubBackend;
import dev.weft.testsuite.PollerConformanceTest;

class NioPollerConformanceTest extends PollerConformanceTest {
    @Override
    protected HubBackend backend() {
        return new NioBackend();
    }
}
