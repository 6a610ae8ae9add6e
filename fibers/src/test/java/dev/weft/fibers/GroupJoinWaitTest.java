package dev.weft.fibers;

import java.time.Duration;

/** Group.join / join(timeout) while a member runs, as a blocking wait. */
class GroupJoinWaitTest extends AbstractWaitTest<GroupJoinWaitTest.Fixture> {
    record Fixture(Group group, Event release) {
    }

    @Override
    Fixture create() {
        Group g = new Group();
        Event release = new Event();
        g.spawn(() -> release.await());
        return new Fixture(g, release);
    }

    @Override
    void satisfy(Fixture f) {
        f.release().set();
    }

    @Override
    void waitForever(Fixture f) {
        f.group().join();
    }

    @Override
    boolean waitTimed(Fixture f, Duration d) {
        return f.group().join(d);
    }
}
