package dev.weft.bridges;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a server binary the tests need; when it is missing, installs its Debian package if the
 * tests run as root (as CI does), otherwise skips the test loudly, naming the package.
 */
final class Binaries {
    private Binaries() {
    }

    /** Whether the JVM runs as root (uid 0). */
    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * The first existing path among {@code candidates} (glob-free paths or names on the PATH); if none
     * exists, {@code apt-get install debianPackage} when root, then looks again; otherwise aborts the test.
     */
    static Path require(String debianPackage, String... candidates) {
        Path found = find(candidates);
        if (found != null) {
            return found;
        }
        if (isRoot() && onPath("apt-get") != null) {
            aptGetInstall(debianPackage);
            found = find(candidates);
            if (found != null) {
                return found;
            }
        }
        Assumptions.abort("SKIPPED: " + String.join(" or ", candidates) + " not found. Install the Debian package '"
                + debianPackage + "' (apt-get install " + debianPackage + "); as root the tests install it themselves.");
        throw new AssertionError("unreachable");
    }

    /** The newest {@code /usr/lib/postgresql/N/bin/name}, or the name on the PATH, or null. */
    static String postgresBin(String name) {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (var versions = Files.list(root)) {
                List<Path> bins = new ArrayList<>(versions.map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable).toList());
                bins.sort(Comparator.comparing((Path p) -> versionOf(p.getParent().getParent().getFileName().toString())));
                if (!bins.isEmpty()) {
                    return bins.get(bins.size() - 1).toString();
                }
            } catch (IOException ignored) {
                // fall through to the PATH
            }
        }
        return name;
    }

    private static int versionOf(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
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

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void aptGetInstall(String pkg) {
        try {
            run(List.of("apt-get", "update", "-q"), 300);
            run(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", pkg), 600);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // the caller looks again and skips, naming the package
        }
    }

    /** Runs a command to its end, output discarded; its exit status. */
    static int run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return p.exitValue();
    }
}
