package dev.weft.jmh.multicore;

import dev.weft.jmh.CommandLine;
import dev.weft.jmh.echo.ServerJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Go servers of {@code bench multicore}: {@code benchserver.go} (a resource of this module, the
 * standard library only: net/http hello world and a goroutine-per-connection echo) built with the
 * local {@code go build} into a directory of {@code jmh/target}, and started with a given {@code
 * GOMAXPROCS}. Nothing is fetched ({@code GOTOOLCHAIN=local},
 * {@code GO111MODULE=off}: one file, no module, no dependency). Driver thread.
 */
public final class GoServers {
    static final String SOURCE = "benchserver.go";

    private final Path binary;

    private GoServers(Path binary) {
        this.binary = binary;
    }

    /** Whether {@code go} is on the {@code PATH} (Debian: {@code apt-get install golang-go}). */
    public static boolean goAvailable() {
        return CommandLine.onPath("go");
    }

    /**
     * Writes the source into {@code dir} and builds it there with {@code go build}.
     *
     * @throws IllegalStateException if {@code go} is missing or the build fails (with go's output)
     */
    public static GoServers build(Path dir) throws IOException, InterruptedException {
        if (!goAvailable()) {
            throw new IllegalStateException("go is not on the PATH: apt-get install -y golang-go");
        }
        Files.createDirectories(dir);
        Path source = dir.resolve(SOURCE);
        try (InputStream in = GoServers.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SOURCE + " is missing from the class path (dev/weft/jmh/multicore)");
            }
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve("benchserver");
        ProcessBuilder pb = new ProcessBuilder("go", "build", "-o", binary.toAbsolutePath().toString(),
                source.toAbsolutePath().toString()).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("GOTOOLCHAIN", "local");
        pb.environment().put("GO111MODULE", "off"); // one file, the standard library: no module lookup
        pb.environment().putIfAbsent("GOCACHE", dir.toAbsolutePath().resolve("cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("go build " + source + " failed:\n" + out);
        }
        return new GoServers(binary);
    }

    /** Starts {@code benchserver mode} ({@code http} or {@code echo}) with {@code GOMAXPROCS=procs}. */
    public ServerJvm start(String mode, int procs) throws IOException {
        return ServerJvm.startProgram(List.of(binary.toString(), mode), Map.of("GOMAXPROCS", Integer.toString(procs)),
                "go-" + mode + "-" + procs);
    }
}
