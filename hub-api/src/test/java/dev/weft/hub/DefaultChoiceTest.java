package dev.weft.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the default backend choice says, for each mix of backends (fakes: no backend opens here). */
class DefaultChoiceTest {

    private record Fake(String name, int priority, Availability availability) implements HubBackend {
        @Override
        public String artifact() {
            return "dev.weft:hub-" + name;
        }

        @Override
        public Poller open() {
            throw new UnsupportedOperationException("a fake");
        }
    }

    private static final Fake NIO = new Fake("nio", 100, Availability.yes());
    private static final Fake KQUEUE_ELSEWHERE = new Fake("kqueue", 200,
            Availability.otherSystem("kqueue exists only on macOS and the BSDs"));

    @Test
    void theBestBackendIsChosenAtInfoWithNothingSkipped() {
        DefaultChoice c = DefaultChoice.of(List.of(new Fake("epoll", 300, Availability.yes()), KQUEUE_ELSEWHERE, NIO));
        assertEquals("epoll", c.backend().name());
        assertEquals(Level.INFO, c.level());
        assertEquals("Weft hub backend: epoll (the best on the class path; -Dweft.hub=NAME picks another)", c.message());
    }

    @Test
    void aBackendForAnotherSystemIsSkippedAtInfoWithItsReason() {
        DefaultChoice c = DefaultChoice.of(List.of(KQUEUE_ELSEWHERE, NIO));
        assertEquals("nio", c.backend().name());
        assertEquals(Level.INFO, c.level());
        assertEquals("Weft hub backend: nio, skipped: kqueue (dev.weft:hub-kqueue) is for another system: "
                + "kqueue exists only on macOS and the BSDs.", c.message());
    }

    @Test
    void aNativeBackendThatFailedOnItsOwnSystemIsAWarningWithTheCause() {
        Fake epollBroken = new Fake("epoll", 300, Availability.no("Netty's native epoll library could not be loaded",
                new UnsatisfiedLinkError("no netty_transport_native_epoll_x86_64")));
        DefaultChoice c = DefaultChoice.of(List.of(epollBroken, KQUEUE_ELSEWHERE, NIO));
        assertEquals("nio", c.backend().name());
        assertEquals(Level.WARNING, c.level());
        assertTrue(c.message().startsWith("Weft hub backend: nio, NOT the better backend: epoll (dev.weft:hub-epoll) failed: "
                + "Netty's native epoll library could not be loaded (cause: java.lang.UnsatisfiedLinkError: "
                + "no netty_transport_native_epoll_x86_64); kqueue (dev.weft:hub-kqueue) is for another system"), c.message());
        assertTrue(c.message().endsWith("set -Dweft.hub=nio to choose nio knowingly (this warning then goes away)."),
                c.message());
    }

    @Test
    void noneAvailableIsNoChoice() {
        assertNull(DefaultChoice.of(List.of(KQUEUE_ELSEWHERE)));
        assertNull(DefaultChoice.of(List.of()));
    }
}
