package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Which backend a hub gets, and what a user sees when the choice is wrong. */
class BackendSelectionTest {

    @Test
    void anUnknownNameListsTheBackendsFoundAndTheValidNames() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Hub.run("epol", () -> "never runs"));
        String m = e.getMessage();
        assertTrue(m.contains("-Dweft.hub=epol"), m);
        assertTrue(m.contains("'epol' is not a Weft backend"), m);
        assertTrue(m.contains("epoll, io_uring, kqueue, nio"), m);
        assertTrue(m.contains("Backends found:") && m.contains("nio (dev.weft:hub-nio: available)"), m);
    }

    @Test
    void theNamedBackendRunsTheHub() throws Exception {
        assertEquals("nio", Hub.run("nio", () -> Hub.current().backendName()));
    }

    @Test
    void unsetMeansTheBestAvailableBackend() throws Exception {
        HubBackend best = Backends.available().get(0);
        for (HubBackend b : Backends.available()) {
            assertTrue(b.priority() <= best.priority());
        }
        String property = System.getProperty(Backends.PROPERTY);
        String expected = property == null || property.isBlank() ? best.name() : property;
        assertEquals(expected, Hub.run(() -> Hub.current().backendName()));
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "aarch64"})
    void onLinuxWithHubEpollTheDefaultIsEpollAndNioCanStillBeChosen() throws Exception {
        // hub-iouring is on this class path too: its priority is below epoll's, so epoll stays the default
        assertEquals("epoll", Backends.select(null).name(), "hub-epoll is a test dependency of this module");
        assertEquals("epoll", Hub.run("epoll", () -> Hub.current().backendName()));
        assertEquals("nio", Hub.run("nio", () -> Hub.current().backendName()));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void kqueueOnLinuxSaysItIsNotAvailableOnThisOs() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Hub.run("kqueue", () -> "never runs"));
        String m = e.getMessage();
        assertTrue(m.contains("-Dweft.hub=kqueue selects the kqueue backend, but it cannot run here"), m);
        assertTrue(m.contains("not available on this OS"), m);
        assertTrue(m.contains("does not fall back silently"), m);
    }
}
