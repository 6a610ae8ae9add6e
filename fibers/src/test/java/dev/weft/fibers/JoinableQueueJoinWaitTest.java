package dev.weft.fibers;

import java.time.Duration;

/** JoinableQueue.join / join(timeout) with an unfinished task, as a blocking wait. */
class JoinableQueueJoinWaitTest extends AbstractWaitTest<JoinableQueue<String>> {
    @Override
    JoinableQueue<String> create() {
        JoinableQueue<String> q = new JoinableQueue<>();
        q.put("task");
        return q;
    }

    @Override
    void satisfy(JoinableQueue<String> q) {
        q.get();
        q.taskDone();
    }

    @Override
    void waitForever(JoinableQueue<String> q) {
        q.join();
    }

    @Override
    boolean waitTimed(JoinableQueue<String> q, Duration d) {
        return q.join(d);
    }
}
