package dev.weft.examples;

import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import dev.weft.fibers.VoidTask;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.sockets.StreamServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every example's {@code main} shares: its command line ({@link ExampleOptions}), a hub on
 * the backend asked for, and a clean stop on SIGINT (Ctrl-C) or SIGTERM ({@code kill PID}).
 *
 * <p>The stop: a JVM shutdown hook asks the hub (through {@link Hub#submit}, the thread-safe way in)
 * to {@link StreamServer#stop(Duration) stop} the server, which closes the listening socket at once,
 * gives open connections {@link #GRACE} to finish and kills the rest (their {@code finally} blocks
 * run). The hook then waits for {@code Hub.run} to return, so every fiber has unwound, says so, and
 * ends the JVM with status 0: a stop that was asked for is not a failure.
 */
final class Examples {
    /** How long open connections get to finish when the example is told to stop. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** How long the stop may take, grace included, before the JVM ends anyway (status 1). */
    private static final Duration STOP_LIMIT = GRACE.plusSeconds(10);

    private Examples() {
    }

    /**
     * Parses the command line of example {@code name}; on {@code --help} prints the usage and exits
     * 0; on a bad argument prints what is wrong and the usage line to standard error and exits 2.
     *
     * @param usage the arguments part of the usage line, e.g. {@code "[--threads] [--port N]"}
     */
    static ExampleOptions options(String name, String usage, String[] args, int defaultPort, Set<String> flags,
            boolean takesPositional) {
        String line = "usage: ./weft example " + name + " [--help] [--backend nio|epoll|kqueue] " + usage;
        try {
            return ExampleOptions.parse(args, defaultPort, flags, takesPositional);
        } catch (ExampleOptions.HelpRequested help) {
            System.out.println(line);
            System.exit(0);
        } catch (ExampleOptions.UsageException bad) {
            System.err.println(name + ": " + bad.getMessage());
            System.err.println(line);
            System.exit(2);
        }
        throw new AssertionError("unreachable");
    }

    /**
     * Runs {@code main} on a new hub on the backend {@code options} names (or the default one). A
     * backend that cannot run here ends the program with its explanation and status 1, not a stack trace.
     */
    static void runHub(ExampleOptions options, VoidTask main) throws Exception {
        try {
            Hub.run(options.backend(), () -> {
                main.run();
                return null;
            });
        } catch (BackendUnavailableException e) {
            System.err.println("weft: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Starts the server that {@code start} makes on a new hub, announces it with {@code banner}, and
     * serves until SIGINT or SIGTERM stops it (see the class comment). Blocks the calling thread.
     */
    static void serveUntilSignal(ExampleOptions options, ServerStart start, String banner) throws Exception {
        Stop stop = new Stop();
        try {
            runHub(options, () -> {
                StreamServer server;
                try {
                    server = start.start(options.port());
                } catch (java.io.IOException e) {
                    System.err.println("cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage()
                            + " (another program may hold the port: pick another with --port N)");
                    System.exit(1);
                    return;
                }
                stop.server = server;
                stop.done = new Event();
                // The hook first, then the banner: a signal sent as soon as the banner shows must stop it.
                Thread hook = stopOnSignal(Hub.current(), stop);
                System.out.println(banner + " on " + hostPort(server) + " (backend " + Hub.current().backendName()
                        + "). Ctrl-C or SIGTERM stops it.");
                try {
                    server.serveForever();
                } finally {
                    if (!stop.requested) {
                        try {
                            Runtime.getRuntime().removeShutdownHook(hook); // the server ended by itself
                        } catch (IllegalStateException exiting) {
                            // the JVM is already shutting down: the hook reports what it finds
                        }
                    }
                }
                if (stop.requested) {
                    stop.done.await(); // serveForever returns as soon as the listener closes; the grace goes on
                }
            });
        } finally {
            stop.hubDone.countDown();
        }
    }

    /** What the main fiber and the shutdown hook share about one stop. */
    private static final class Stop {
        /** Hub thread only. */
        StreamServer server;
        Event done;
        boolean requested;
        /** Written on the hub thread before {@link #hubDone} counts down; read by the hook after. */
        int killed;
        final CountDownLatch hubDone = new CountDownLatch(1);
    }

    /** The shutdown hook: stop the server on its hub with grace, wait for the hub to end, exit 0. */
    private static Thread stopOnSignal(Hub hub, Stop stop) {
        StreamServer server = stop.server;
        Thread hook = new Thread(() -> {
            PrintStream out = System.out;
            out.println("stopping: closing " + hostPort(server) + ", " + server.connections()
                    + " open connection(s) get " + GRACE.toSeconds() + " s to finish");
            int status = 0;
            try {
                hub.execute(() -> {
                    stop.requested = true;
                    try {
                        stop.killed = server.stop(GRACE);
                    } finally {
                        stop.done.set();
                    }
                });
                if (!stop.hubDone.await(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the hub did not end within " + STOP_LIMIT.toSeconds() + " s");
                }
                int killed = stop.killed;
                out.println("stopped" + (killed > 0 ? " (" + killed + " connection(s) outlived the grace and were closed)" : "")
                        + "; nothing listens on " + hostPort(server) + " any more");
            } catch (Throwable e) {
                System.err.println("stop failed: " + e + "; exiting anyway");
                status = 1;
            }
            out.flush();
            Runtime.getRuntime().halt(status); // after a clean stop a signal is not a failure: 0, not 143
        }, "weft-example-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static String hostPort(StreamServer server) {
        return server.address().getHostString() + ":" + server.port();
    }

    /** Makes a server on the current hub listening on {@code port}. */
    @FunctionalInterface
    interface ServerStart {
        StreamServer start(int port) throws Exception;
    }
}
