package dev.weft.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Starts the peers nobody here wrote (Debian's {@code openssl} and {@code curl}) for the interop
 * tests. A missing tool is installed with apt-get when running as root (as CI does); otherwise the
 * test is skipped with a message naming the Debian package.
 */
final class RealPeers {
    private RealPeers() {
    }

    /** Makes sure {@code tool} (from Debian package {@code pkg}) is on the PATH, or skips the test saying so. */
    static synchronized void require(String tool, String pkg) throws Exception {
        if (onPath(tool)) {
            return;
        }
        if ("root".equals(System.getProperty("user.name")) && onPath("apt-get")) {
            run(List.of("apt-get", "update", "-qq"), 300);
            run(List.of("apt-get", "install", "-y", "-qq", pkg), 300);
        }
        Assumptions.assumeTrue(onPath(tool), "SKIPPED: '" + tool + "' is not installed and could not be installed here;"
                + " install the Debian package '" + pkg + "' (apt-get install " + pkg + ") to run the interop tests");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** A port that was free a moment ago (for peers that cannot pick their own and report it). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A finished process: exit code, standard output, standard error. */
    record Result(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code cmd} to its end with {@code stdin} as input (null: none); kills it after {@code seconds}. Blocks the calling thread. */
    static Result run(List<String> cmd, byte[] stdin, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        Thread feeder = Thread.ofPlatform().daemon().start(() -> {
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException ignored) {
                // the process ended first
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + seconds + " s; it said: "
                    + new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        }
        feeder.join(5000);
        return new Result(p.exitValue(), out.get(30, TimeUnit.SECONDS), new String(err.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    private static Result run(List<String> cmd, int seconds) throws Exception {
        return run(cmd, null, seconds);
    }

    static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (in) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                f.complete(b.toByteArray());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Starts {@code openssl s_server} on a free port of 127.0.0.1 and waits until it accepts.
     * Closing the returned handle kills it.
     */
    static OpenSslServer opensslServer(Path pem, String... extra) throws Exception {
        int port = freePort();
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", pem.toString(), "-key", pem.toString(), "-naccept", "100"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        InputStream out = p.getInputStream();
        StringBuilder said = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!said.toString().contains("ACCEPT")) {
            int c = out.read();
            if (c < 0 || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl s_server did not start: " + said);
            }
            said.append((char) c);
        }
        drain(out);
        return new OpenSslServer(p, port);
    }

    record OpenSslServer(Process process, int port) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
