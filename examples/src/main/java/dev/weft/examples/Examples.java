package dev.weft.examples;

import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import dev.weft.fibers.VoidTask;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.SocketErrors;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every example's {@code main} shares: its command line ({@link ExampleOptions}), a hub on
 * the backend asked for, a clean stop on SIGINT (Ctrl-C) or SIGTERM ({@code kill PID}), and one
 * line, not a stack trace, for a client that goes away abruptly.
 *
 * <p>The stop: a JVM shutdown hook ({@link #onSignal}) says that it stops, asks the hub (through
 * {@link Hub#execute}, the thread-safe way in) to {@link StreamServer#stop(Duration) stop} the
 * server, which closes the listening socket at once, gives open connections a grace period to
 * finish and kills the rest (their {@code finally} blocks run), then stops what the server used (the
 * db example's database), waits for {@code Hub.run} to return, so every fiber has unwound, says so,
 * and ends the JVM with status 0: a stop that was asked for is not a failure.
 */
final class Examples {
    /** How long open connections get to finish when the example is told to stop. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** How long the stop may take besides the grace (a database still starting, then stopping) before the JVM ends anyway (status 1). */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private Examples() {
    }

    /** {@link #options(String, String, String[], int, Set, Map, boolean)} for an example without options that take a value. */
    static ExampleOptions options(String name, String usage, String[] args, int defaultPort, Set<String> flags,
            boolean takesPositional) {
        return options(name, usage, args, defaultPort, flags, Map.of(), takesPositional);
    }

    /**
     * Parses the command line of example {@code name}; on {@code --help} prints the usage and exits
     * 0; on a bad argument prints what is wrong and the usage line to standard error and exits 2.
     * Nothing has been started when it exits.
     *
     * @param usage  the arguments part of the usage line, e.g. {@code "[--threads] [--port N]"}
     * @param valued the options that take a value (see {@link ExampleOptions#parse(String[], int, Set, Map, boolean)})
     */
    static ExampleOptions options(String name, String usage, String[] args, int defaultPort, Set<String> flags,
            Map<String, String> valued, boolean takesPositional) {
        String line = "usage: ./weft example " + name + " [--help] [--backend nio|epoll|kqueue] " + usage;
        try {
            return ExampleOptions.parse(args, defaultPort, flags, valued, takesPositional);
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
            unavailable(e);
        }
    }

    /** Ends the program, status 1, with the explanation of a backend that cannot run here. */
    static void unavailable(BackendUnavailableException e) {
        System.err.println("weft: " + e.getMessage());
        System.exit(1);
    }

    /**
     * Whether {@code e} is how a client that went away abruptly shows: the peer reset the connection
     * (a client killed, or one that closed with SO_LINGER 0) or a write found it gone.
     */
    static boolean isDisconnect(IOException e) {
        return e instanceof SocketException
                && (SocketErrors.CONNECTION_RESET.equals(e.getMessage()) || SocketErrors.BROKEN_PIPE.equals(e.getMessage()));
    }

    /**
     * For a connection handler's {@code catch}: an abrupt disconnect ({@link #isDisconnect}) is an
     * ordinary event, logged in one line at INFO naming the client; anything else is thrown on, to
     * the hub's uncaught handler.
     */
    static void disconnected(System.Logger log, TcpSocket socket, IOException e) throws IOException {
        if (!isDisconnect(e)) {
            throw e;
        }
        String peer;
        try {
            peer = SocketErrors.describe(socket.remoteAddress());
        } catch (IOException | RuntimeException unknown) {
            peer = "a client";
        }
        log.log(System.Logger.Level.INFO, peer + " disconnected: " + e.getMessage());
    }

    /**
     * Starts the server that {@code start} makes on a new hub, announces it with {@code banner}, and
     * serves until SIGINT or SIGTERM stops it (see the class comment), with {@link #GRACE}. Blocks the
     * calling thread.
     */
    static void serveUntilSignal(ExampleOptions options, ServerStart start, String banner) throws Exception {
        serveUntilSignal(options, GRACE, start, server -> () -> { }, banner);
    }

    /**
     * Like {@link #serveUntilSignal(ExampleOptions, ServerStart, String)}, for a server that needs
     * more than its socket: {@code backing} starts the rest once the port is taken (so a port in use
     * fails before anything else has started) and returns what stops it, which runs after the server
     * has stopped. A stop asked for while {@code backing} still starts waits for it, then stops both.
     * If {@code backing} fails, the server is closed and the program ends with one line and status 1.
     *
     * @param grace how long open connections get to finish when told to stop
     */
    static void serveUntilSignal(ExampleOptions options, Duration grace, ServerStart start, Backing backing, String banner)
            throws Exception {
        Stop stop = new Stop();
        String[] failed = new String[1];
        try {
            runHub(options, () -> {
                StreamServer server;
                try {
                    server = start.start(options.port());
                } catch (IOException e) {
                    System.err.println("cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage()
                            + " (another program may hold the port: pick another with --port N)");
                    System.exit(1); // nothing else has started
                    return;
                }
                stop.done = new Event();
                Hub hub = Hub.current();
                // The hook first: a signal from now on must stop what starts next, and the server.
                Thread hook = onSignal(
                        () -> "stopping: closing " + hostPort(server) + ", " + server.connections() + " open connection(s) get "
                                + grace.toSeconds() + " s to finish",
                        () -> stopOnHub(hub, server, grace, stop));
                AutoCloseable stopBacking;
                try {
                    stopBacking = backing.start(server);
                } catch (Exception e) {
                    failed[0] = e.getMessage() != null ? e.getMessage() : e.toString();
                    System.err.println(failed[0]);
                    if (removeHook(hook)) {
                        server.stop(Duration.ZERO);
                    } else {
                        stop.done.await(); // a signal came meanwhile: its stop closes the server
                    }
                    return;
                }
                try {
                    if (!stop.requested) {
                        System.out.println(banner + " on " + hostPort(server) + " (backend " + hub.backendName()
                                + "). Ctrl-C or SIGTERM stops it.");
                    }
                    server.serveForever();
                    if (stop.requested) {
                        stop.done.await(); // serveForever returns as soon as the listener closes; the grace goes on
                    }
                } finally {
                    if (!stop.requested) {
                        removeHook(hook); // the server ended by itself
                    }
                    stopBacking.close();
                }
            });
        } finally {
            stop.hubDone.countDown();
        }
        if (failed[0] != null) {
            System.exit(1);
        }
    }

    /** Removes a shutdown hook; false if the JVM is already shutting down (a signal came: the hook runs). */
    private static boolean removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException exiting) {
            return false;
        }
    }

    /** What the main fiber and the shutdown hook share about one stop. */
    private static final class Stop {
        /** Hub thread only. */
        Event done;
        boolean requested;
        /** Written on the hub thread before {@link #hubDone} counts down; read by the hook after. */
        int killed;
        final CountDownLatch hubDone = new CountDownLatch(1);
    }

    /** The hook's part of a one-hub stop: stop the server on its hub with {@code grace}, wait for the hub to end. */
    private static String stopOnHub(Hub hub, StreamServer server, Duration grace, Stop stop) throws InterruptedException {
        hub.execute(() -> {
            stop.requested = true;
            try {
                stop.killed = server.stop(grace);
            } finally {
                stop.done.set();
            }
        });
        Duration limit = grace.plus(STOP_LIMIT);
        if (!stop.hubDone.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the hub did not end within " + limit.toSeconds() + " s");
        }
        int killed = stop.killed;
        return "stopped" + (killed > 0 ? " (" + killed + " connection(s) outlived the grace and were closed)" : "")
                + "; nothing listens on " + hostPort(server) + " any more";
    }

    /**
     * Installs the shutdown hook that SIGINT and SIGTERM run: it prints what {@code stopping} says,
     * runs {@code stop} (which blocks until everything has stopped, within its own limit, and returns
     * what to say then), prints that and ends the JVM with status 0; if either throws, it says so and
     * ends it with status 1. Returns the hook, to remove it when the program ends by itself.
     */
    static Thread onSignal(Callable<String> stopping, Callable<String> stop) {
        Thread hook = new Thread(() -> {
            PrintStream out = System.out;
            int status = 0;
            try {
                out.println(stopping.call());
                out.println(stop.call());
            } catch (Throwable e) {
                System.err.println("stop failed: " + e + "; exiting anyway");
                status = 1;
            }
            out.flush();
            Runtime.getRuntime().halt(status); // after a clean stop a signal is not a failure: 0, not 130/143
        }, "weft-example-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static String hostPort(StreamServer server) {
        return server.address().getHostString() + ":" + server.port();
    }

    /** Makes a server on the current hub listening on {@code port}. */
    @FunctionalInterface
    interface ServerStart {
        StreamServer start(int port) throws Exception;
    }

    /**
     * What a server needs besides its socket (the db example's database): started in the hub's main
     * fiber once the server listens, stopped there after the server has stopped.
     */
    @FunctionalInterface
    interface Backing {
        /** Starts it for {@code server}; returns what stops it. Blocks the main fiber while it starts. */
        AutoCloseable start(StreamServer server) throws Exception;
    }
}
