package dev.weft.fibers;

import java.time.Duration;
import java.util.List;

/** Waitable.waitAny over an event and an async result, as a blocking wait. */
class WaitAnyWaitTest extends AbstractWaitTest<List<Waitable>> {
    @Override
    List<Waitable> create() {
        return List.of(new Event(), new AsyncResult<String>());
    }

    @Override
    void satisfy(List<Waitable> objects) {
        ((Event) objects.get(0)).set();
    }

    @Override
    void waitForever(List<Waitable> objects) {
        Waitable.waitAny(objects);
    }

    @Override
    boolean waitTimed(List<Waitable> objects, Duration d) {
        return Waitable.waitAny(objects, d) != null;
    }
}
