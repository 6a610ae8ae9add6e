package dev.weft.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs programs to their end for tests: a real client ({@code curl}, {@code openssl s_client}), a tool
 * ({@code initdb}, {@code apt-get}) or a child JVM ({@link ChildJvm}). Output is read while the program runs
 * (so a chatty one never blocks on a full pipe) and kept apart from standard error. Blocks the calling
 * thread: inside a fiber, call it through {@code ThreadPool.offload}.
 */
public final class Processes {
    private Processes() {
    }

    /**
     * A finished program.
     *
     * @param exit   its exit status
     * @param stdout its standard output, as is
     * @param stderr its standard error, as UTF-8 text
     */
    public record Result(int exit, byte[] stdout, String stderr) {
        /** Standard output as UTF-8 text. */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out() + "\n--- stderr:\n" + stderr;
        }
    }

    /** {@link #run(Path, List, byte[], Duration)} in the current directory, with no input. */
    public static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        return run(null, command, null, Duration.ofSeconds(timeoutSeconds));
    }

    /** {@link #run(Path, List, byte[], Duration)} in the current directory. */
    public static Result run(List<String> command, byte[] stdin, int timeoutSeconds) throws IOException, InterruptedException {
        return run(null, command, stdin, Duration.ofSeconds(timeoutSeconds));
    }

    /**
     * Runs {@code command} in {@code dir} (null: the current directory) with {@code stdin} as its input
     * (null: none; its input is closed either way) and waits for it to end.
     *
     * @throws IOException if it cannot start, or if it did not end within {@code timeout}: it is then killed,
     *                     and the message has what it said so far
     */
    public static Result run(Path dir, List<String> command, byte[] stdin, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        return await(p, String.join(" ", command), stdin, timeout);
    }

    /** Waits for {@code p} (started by the caller) as {@link #run(Path, List, byte[], Duration)} does. */
    public static Result await(Process p, String what, byte[] stdin, Duration timeout) throws IOException, InterruptedException {
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        Thread feeder = Thread.ofPlatform().daemon().name("stdin of " + what).start(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException ignored) {
                // it ended (or closed its input) first
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException(what + " did not end within " + timeout.toSeconds() + " s (killed); it said: "
                    + new String(get(out), StandardCharsets.UTF_8) + new String(get(err), StandardCharsets.UTF_8));
        }
        feeder.join(5_000);
        return new Result(p.exitValue(), get(out), new String(get(err), StandardCharsets.UTF_8));
    }

    /** Reads {@code in} to its end on a daemon thread of its own; the future has every byte. */
    public static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("drain").start(() -> {
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

    private static byte[] get(CompletableFuture<byte[]> f) throws IOException, InterruptedException {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("reading a program's output failed", e.getCause());
        } catch (TimeoutException e) {
            return "(its output did not end: a child of it keeps it open)".getBytes(StandardCharsets.UTF_8);
        }
    }
}
