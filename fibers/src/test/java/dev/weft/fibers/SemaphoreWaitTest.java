package dev.weft.fibers;

import java.time.Duration;

class SemaphoreWaitTest extends AbstractWaitTest<Semaphore> {
    @Override
    Semaphore create() {
        return new Semaphore(0);
    }

    @Override
    void satisfy(Semaphore s) {
        s.release();
    }

    @Override
    void waitForever(Semaphore s) {
        s.acquire();
    }

    @Override
    boolean waitTimed(Semaphore s, Duration d) {
        return s.tryAcquire(d);
    }
}
