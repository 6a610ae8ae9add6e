package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** Queue.peek / peek(timeout) on an empty queue, as a blocking wait. */
class QueuePeekWaitTest extends AbstractWaitTest<LifoQueue<String>> {
    @Override
    LifoQueue<String> create() {
        return new LifoQueue<>();
    }

    @Override
    void satisfy(LifoQueue<String> q) {
        q.put("item");
    }

    @Override
    void waitForever(LifoQueue<String> q) {
        assertEquals("item", q.peek());
    }

    @Override
    boolean waitTimed(LifoQueue<String> q, Duration d) {
        return q.peek(d) != null;
    }
}
