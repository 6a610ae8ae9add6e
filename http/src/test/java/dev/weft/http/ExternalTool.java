package dev.weft.http;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs a real client program; finds it, installs it with apt-get when running as root, else skips loudly. */
final class ExternalTool {
    record Result(int exit, String out, String err) {
    }

    private ExternalTool() {
    }

    /** Makes sure {@code binary} is on the PATH; installs Debian {@code pkg} as root, else skips the test naming it. */
    static void require(String binary, String pkg) throws Exception {
        if (onPath(binary)) {
            return;
        }
        if ("root".equals(System.getProperty("user.name"))) {
            run(List.of("apt-get", "update", "-qq"), 300);
            run(List.of("apt-get", "install", "-y", "-qq", pkg), 300);
        }
        Assumptions.assumeTrue(onPath(binary), "SKIPPED: '" + binary + "' is not installed; install the Debian package '"
                + pkg + "' (apt-get install " + pkg + ") to run this check");
    }

    static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command}; kills it and fails if it takes longer than {@code seconds}. */
    static Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("weft-tool", ".out");
        Path err = Files.createTempFile("weft-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
