package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What a capture takes, how it formats it, and that closing gives the logger back as it was. */
class LogCaptureTest {
    private static final System.Logger LOG = System.getLogger("dev.weft.testkit.sample");

    @Test
    void capturesInfoAndAboveOfTheLoggerAndItsChildrenAndRestoresItOnClose() {
        Logger jul = Logger.getLogger("dev.weft.testkit.sample");
        boolean parents = jul.getUseParentHandlers();
        Level level = jul.getLevel();
        try (LogCapture log = LogCapture.of("dev.weft.testkit")) {
            LOG.log(System.Logger.Level.DEBUG, "not at INFO");
            LOG.log(System.Logger.Level.INFO, "hello {0}", "there");
            LOG.log(System.Logger.Level.ERROR, "it failed", new IllegalStateException("boom"));
            assertEquals(List.of("hello there", "it failed"), log.messages());
            assertEquals(List.of("it failed / java.lang.IllegalStateException: boom"), log.warnings());
            assertEquals("INFO hello there\nSEVERE it failed / java.lang.IllegalStateException: boom\n", log.text());
            assertTrue(log.contains(Level.SEVERE, "boom"));
            assertFalse(log.contains(Level.SEVERE, "hello"));
            assertEquals(2, log.count());
        }
        assertEquals(parents, jul.getUseParentHandlers());
        assertEquals(level, jul.getLevel());
        assertEquals(level, Logger.getLogger("dev.weft.testkit").getLevel());
    }

    @Test
    void aLevelBelowInfoTakesTheDebugRecordsToo() {
        try (LogCapture log = LogCapture.of("dev.weft.testkit.sample", Level.FINE)) {
            LOG.log(System.Logger.Level.DEBUG, "a detail");
            LOG.log(System.Logger.Level.TRACE, "finer still");
            assertEquals(List.of("a detail"), log.messages());
        }
    }
}
