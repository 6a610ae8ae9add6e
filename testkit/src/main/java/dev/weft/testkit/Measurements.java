package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Figures the tests observe (wall times of real-server scenarios, 10,000 connections at once), appended
 * with a time stamp to {@code target/measurements.txt} of the module under test instead of the console, so
 * that a passing run stays quiet. They are observations, not benchmarks (those are in the jmh module).
 * Any thread.
 */
public final class Measurements {
    private static final Path FILE = Path.of("target", "measurements.txt");

    private Measurements() {
    }

    /** Appends {@code line}; a figure that cannot be written is dropped, never a test failure. */
    public static synchronized void record(String line) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, Instant.now() + " " + line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // a figure that cannot be written is not a test failure
        }
    }
}
