package dev.weft.hub.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.Backends;
import dev.weft.testkit.LogCapture;
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What a user sees when Netty's epoll library cannot load. Runs in its own Surefire execution whose
 * JVM has {@code -Dio.netty.transport.noNative=true} (see this module's pom), which makes Netty
 * refuse its native library the way a missing classifier jar does.
 */
@Tag("no-native")
@EnabledOnOs(OS.LINUX)
@EnabledIfSystemProperty(named = "io.netty.transport.noNative", matches = "true")
class EpollWithoutNativeLibraryTest {

    @Test
    void availabilityNamesTheClassifierAndNettysCause() {
        Availability a = new EpollBackend().availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("netty-transport-native-epoll:4.2.18.Final:" + EpollBackend.classifier()), a.reason());
        assertNotNull(a.cause(), "Netty's unavailabilityCause()");
        assertTrue(a.describe().contains("noNative"), a.describe());
    }

    @Test
    void selectingEpollFailsWithThatMessageAndTheDefaultIsNotSilentlyEpoll() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.select("epoll"));
        assertTrue(e.getMessage().contains("cannot run here"), e.getMessage());
        assertTrue(e.getMessage().contains(EpollBackend.classifier()), e.getMessage());
        assertTrue(e.getMessage().contains("-Dweft.hub=nio"), e.getMessage());
        assertThrows(BackendUnavailableException.class, () -> new EpollBackend().open());
    }

    /** Issue 13: with weft.hub unset, the fall-back to nio is said once, at WARNING, with epoll's failure. */
    @Test
    void theDefaultFallsBackToNioWithOneWarningThatNamesEpollsFailure() {
        try (LogCapture log = LogCapture.of(Backends.class)) {
            assertEquals("nio", Backends.select(null).name());
            assertEquals("nio", Backends.select(null).name());
            assertEquals(1, log.records().size(), "logged once per JVM: " + log);
            assertEquals(1, log.messages(Level.WARNING).size(), log.toString());
            String warning = log.messages(Level.WARNING).get(0);
            assertTrue(warning.startsWith("Weft hub backend: nio, NOT the better backend: epoll (dev.weft:hub-epoll) failed: "
                    + "Netty's native epoll library could not be loaded"), warning);
            assertTrue(warning.contains("noNative"), "Netty's cause: " + warning);
            assertTrue(warning.contains(EpollBackend.classifier()), warning);
            assertTrue(warning.contains("-Dweft.hub=nio"), warning);
        }
    }
}
