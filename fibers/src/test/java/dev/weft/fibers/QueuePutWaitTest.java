package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

/** Queue.put / offer(timeout) on a full bounded queue, as a blocking wait. */
class QueuePutWaitTest extends AbstractWaitTest<Queue<String>> {
    @Override
    Queue<String> create() {
        Queue<String> q = new Queue<>(1);
        q.put("filler");
        return q;
    }

    @Override
    void satisfy(Queue<String> q) {
        assertEquals("filler", q.get());
    }

    @Override
    void waitForever(Queue<String> q) {
        q.put("item");
    }

    @Override
    boolean waitTimed(Queue<String> q, Duration d) {
        return q.offer("item", d);
    }
}
