package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** Queue.get / poll(timeout) on an empty queue, as a blocking wait. */
class QueueGetWaitTest extends AbstractWaitTest<Queue<String>> {
    @Override
    Queue<String> create() {
        return new Queue<>();
    }

    @Override
    void satisfy(Queue<String> q) {
        q.put("item");
    }

    @Override
    void waitForever(Queue<String> q) {
        assertEquals("item", q.get());
    }

    @Override
    boolean waitTimed(Queue<String> q, Duration d) {
        return q.poll(d) != null;
    }
}
