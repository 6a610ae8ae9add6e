package dev.weft.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real server process a test starts in its own temporary directory: its output goes to a log file there
 * (shown in failures), {@link #close()} stops it and removes the directory, and a JVM shutdown hook does the
 * same if the JVM ends first. {@link PostgresServer}, {@link RedisServer} and {@link MariaDbServer} are
 * ones; use it alone for any other server. Any thread.
 */
public class ServerProcess implements AutoCloseable {
    /** The server's own temporary directory (deleted by {@link #close()}). */
    public final Path dir;
    /** What it is, for file names and messages ({@code postgres}, {@code redis}...). */
    public final String name;
    private volatile Process process;
    private final Thread backstop;
    private final List<Runnable> beforeDelete = new CopyOnWriteArrayList<>();

    /** Makes the directory; a shutdown hook stops the server if {@link #close()} is not called. */
    public ServerProcess(String name) throws IOException {
        this(name, true);
    }

    /** {@code stopAtExit}: whether a JVM shutdown hook stops it if {@link #close()} was not called. */
    public ServerProcess(String name, boolean stopAtExit) throws IOException {
        this.name = name;
        this.dir = Files.createTempDirectory("weft-" + name + "-");
        this.backstop = stopAtExit ? new Thread(this::stopQuietly, "stop " + name) : null;
        if (backstop != null) {
            Runtime.getRuntime().addShutdownHook(backstop);
        }
    }

    /** Starts {@code command} in {@link #dir} with its output and errors to {@link #log()}. */
    public void start(List<String> command) throws IOException {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log().toFile()).start();
    }

    /** Also runs {@code action} when stopping, before the directory is removed (e.g. {@code pg_ctl stop}). */
    public void onStop(Runnable action) {
        beforeDelete.add(action);
    }

    /** {@code <dir>/<name>.log}: what the server printed. */
    public Path log() {
        return dir.resolve(name + ".log");
    }

    /** The log so far, for failure messages. */
    public String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log()) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Waits until 127.0.0.1:{@code port} accepts connections.
     *
     * @throws IOException if the process ended first, or {@code timeoutMillis} passed; with its log
     */
    public void awaitPort(int port, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p != null && !p.isAlive()) {
                throw new IOException(name + " exited with " + p.exitValue() + ":\n" + logText());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20); // polling a real process's port: there is nothing to wait on instead
            }
        }
        throw new IOException(name + " did not listen on " + port + " within " + timeoutMillis + " ms:\n" + logText());
    }

    /** Kills the process at once (SIGKILL): a server that dies mid-request. */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops the server (the {@link #onStop} actions, then SIGTERM, SIGKILL after 10 s) and removes its directory. */
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
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Trees.deleteQuietly(dir);
    }
}
