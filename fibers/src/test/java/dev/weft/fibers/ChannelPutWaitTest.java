package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** Channel.put / offer(timeout) with no getter, as a blocking wait. */
class ChannelPutWaitTest extends AbstractWaitTest<Channel<String>> {
    @Override
    Channel<String> create() {
        return new Channel<>();
    }

    @Override
    void satisfy(Channel<String> ch) {
        assertEquals("item", ch.get());
    }

    @Override
    void waitForever(Channel<String> ch) {
        ch.put("item");
    }

    @Override
    boolean waitTimed(Channel<String> ch, Duration d) {
        return ch.offer("item", d);
    }
}
