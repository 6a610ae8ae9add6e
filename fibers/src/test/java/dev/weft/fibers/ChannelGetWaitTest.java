package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** Channel.get / poll(timeout) with no putter, as a blocking wait. */
class ChannelGetWaitTest extends AbstractWaitTest<Channel<String>> {
    @Override
    Channel<String> create() {
        return new Channel<>();
    }

    @Override
    void satisfy(Channel<String> ch) {
        ch.put("item");
    }

    @Override
    void waitForever(Channel<String> ch) {
        assertEquals("item", ch.get());
    }

    @Override
    boolean waitTimed(Channel<String> ch, Duration d) {
        return ch.poll(d) != null;
    }
}
