package dev.weft.bridges;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Figures the tests observe (wall times of the real-server scenarios), appended to
 * {@code target/bridges-measurements.txt} instead of the console, so that a passing run stays quiet.
 * They are observations, not benchmarks (those are in the jmh module).
 */
final class Measurements {
    private static final Path FILE = Path.of("target", "bridges-measurements.txt");

    private Measurements() {
    }

    static synchronized void record(String line) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, Instant.now() + " " + line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // a figure that cannot be written is not a test failure
        }
    }
}
