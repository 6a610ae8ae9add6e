package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.internal.FiberContinuation;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class PinnedTest {

    /** Its static initializer yields: class initializers run under a native frame. */
    static final class YieldsInClinit {
        static final Throwable FAILURE;

        static {
            Throwable failure = null;
            try {
                Fiber.yield();
            } catch (Throwable t) {
                failure = t;
            }
            FAILURE = failure;
        }
    }

    @Test
    void aSwitchInsideAClassInitializerNamesTheNativeFrame() throws Exception {
        Throwable t = Hub.run(() -> YieldsInClinit.FAILURE);
        assertTrue(t instanceof FiberPinnedException, String.valueOf(t));
        assertTrue(t.getMessage().contains("NATIVE") && t.getMessage().contains("class initializer"), t.getMessage());
    }

    @Test
    void aSwitchInACriticalSectionNamesIt() throws Exception {
        Hub.run(() -> {
            FiberPinnedException e = assertThrows(FiberPinnedException.class,
                    () -> FiberContinuation.pinned(() -> Fiber.sleep(1)));
            assertTrue(e.getMessage().contains("CRITICAL_SECTION"), e.getMessage());
            Fiber.yield(); // the fiber is intact afterwards
            Fiber.sleep(1);
        });
    }

    @Test
    void aPinnedYieldDoesNotLeaveTheFiberQueuedTwice() throws Exception {
        Hub.run(() -> {
            assertThrows(FiberPinnedException.class, () -> FiberContinuation.pinned(Fiber::yield));
            Fiber<String> other = Fiber.spawn(() -> "ok");
            Fiber.yield();
            Fiber.yield();
            return other.get();
        });
    }
}
