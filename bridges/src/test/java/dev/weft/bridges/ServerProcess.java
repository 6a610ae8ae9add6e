package dev.weft.bridges;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real server process a test starts in its own temporary directory: its output goes to a log file
 * there (shown in failures), {@link #close()} stops it and removes the directory, and a JVM shutdown
 * hook does the same if the test JVM ends first.
 */
class ServerProcess implements AutoCloseable {
    final Path dir;
    final String name;
    private Process process;
    private final Thread backstop;
    private final List<Runnable> beforeDelete = new java.util.concurrent.CopyOnWriteArrayList<>();

    ServerProcess(String name) throws IOException {
        this(name, true);
    }

    /** {@code stopAtExit}: whether a JVM shutdown hook stops it if {@link #close()} was not called. */
    ServerProcess(String name, boolean stopAtExit) throws IOException {
        this.name = name;
        this.dir = Files.createTempDirectory("weft-" + name + "-");
        this.backstop = stopAtExit ? new Thread(this::stopQuietly, "stop " + name) : null;
        if (backstop != null) {
            Runtime.getRuntime().addShutdownHook(backstop);
        }
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code command} with its output to {@code <dir>/<name>.log}. */
    void start(List<String> command) throws IOException {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log().toFile()).start();
    }

    /** Also runs {@code action} when stopping, before the directory is removed (e.g. {@code pg_ctl stop}). */
    void onStop(Runnable action) {
        beforeDelete.add(action);
    }

    Path log() {
        return dir.resolve(name + ".log");
    }

    /** The log so far, for failure messages. */
    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log()) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Waits until 127.0.0.1:{@code port} accepts connections. */
    void awaitPort(int port, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ":\n" + logText());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException(name + " did not listen on " + port + " within " + timeoutMillis + " ms:\n" + logText());
    }

    /** Kills the process at once (SIGKILL): a server that dies mid-request. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        stopQuietly();
        if (backstop == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(backstop);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopQuietly() {
        for (Runnable r : beforeDelete) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // best effort: the process is killed below anyway
            }
        }
        beforeDelete.clear();
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is not worth failing a test for
            }
        }
    }
}
