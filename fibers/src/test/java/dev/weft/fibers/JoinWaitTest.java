package dev.weft.fibers;

import java.time.Duration;

/** Fiber.join on a fiber that is still running, as a blocking wait. */
class JoinWaitTest extends AbstractWaitTest<Fiber<Void>> {
    @Override
    Fiber<Void> create() {
        Event never = new Event();
        return Fiber.spawn("target", () -> never.await());
    }

    @Override
    void satisfy(Fiber<Void> f) {
        f.kill();
    }

    @Override
    void waitForever(Fiber<Void> f) {
        f.join();
    }

    @Override
    boolean waitTimed(Fiber<Void> f, Duration d) {
        return f.join(d);
    }
}
