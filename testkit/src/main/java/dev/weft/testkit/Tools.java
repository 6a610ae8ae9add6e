package dev.weft.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs tests need from the system (servers, real clients, openssl): found on the {@code PATH} or at
 * a fixed path; when missing, installed with {@code apt-get} if the tests run as root (as CI does), else the
 * test is skipped (aborted) with a message that names the Debian package to install. Any thread.
 */
public final class Tools {
    /** Packages this JVM already tried to install (once each, found or not). */
    private static final Set<String> TRIED = new HashSet<>();

    private Tools() {
    }

    /**
     * The first of {@code candidates} that exists and is executable (a path with a {@code /}, or a name
     * looked up on the {@code PATH}); if none does, installs the Debian package {@code debianPackage} when
     * running as root and looks again.
     *
     * @throws org.opentest4j.TestAbortedException if it is still missing: the test is skipped, and the
     *                                             message says which package to install
     */
    public static Path require(String debianPackage, String... candidates) {
        Path found = find(candidates);
        if (found == null && installAsRoot(debianPackage)) {
            found = find(candidates);
        }
        if (found == null) {
            Assumptions.abort("SKIPPED: " + String.join(" or ", candidates) + " not found. Install the Debian package '"
                    + debianPackage + "' (apt-get install " + debianPackage + "); as root the tests install it themselves.");
        }
        return found;
    }

    /** Whether the JVM runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** {@code name} on the {@code PATH} if it is there and executable, else null. */
    public static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * {@code apt-get install debianPackage} (after an {@code apt-get update}) when running as root with
     * apt-get, once per package per JVM; returns whether it tried. Its failure is not thrown: the caller
     * looks for what it needs again and skips, naming the package.
     */
    public static synchronized boolean installAsRoot(String debianPackage) {
        if (!isRoot() || onPath("apt-get") == null || !TRIED.add(debianPackage)) {
            return false;
        }
        try {
            Processes.run(List.of("apt-get", "update", "-q"), 300);
            Processes.run(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", debianPackage), 600);
        } catch (IOException e) {
            // looked for again by the caller, which then skips naming the package
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static Path find(String... candidates) {
        for (String c : candidates) {
            Path p = c.contains("/") ? Path.of(c) : onPath(c);
            if (p != null && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
