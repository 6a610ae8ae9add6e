package dev.weft.examples;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Hub;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.sockets.StreamServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The echo server on every core: N threads, each running its own hub with its own {@link
 * StreamServer} on the same port ({@code reusePort(true)}, SO_REUSEPORT); the kernel spreads the
 * connections among them. A hub is one thread, so this is how Weft uses several cores: one hub per
 * core, sharing nothing (gunicorn's "N gevent workers", without the processes).
 *
 * <p>SO_REUSEPORT would also let a second program, such as a second copy of this example, listen on
 * the same port and silently take half of the connections. So the first hub checks that nothing
 * listens on the port yet (a bind without SO_REUSEPORT), and the example refuses the port if
 * something does.
 *
 * <pre>./weft example multicore [--backend nio|epoll|kqueue] [--port N] [--hubs N]   (default: one hub per core, port 7788)</pre>
 * SIGINT (Ctrl-C) or SIGTERM stops every hub's server cleanly.
 */
public final class MultiCoreEchoServer implements AutoCloseable {
    /** What one hub thread serves: its hub, its server, and what tells it to stop (with the grace to give). */
    private record Member(Hub hub, StreamServer server, AsyncResult<Duration> stop) {
    }

    private final List<Thread> threads = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();
    /** Per hub: how many connections its stop had to kill. */
    private final List<CompletableFuture<Integer>> ended = new ArrayList<>();
    private final int port;

    private MultiCoreEchoServer(String backend, int hubs, int requestedPort) throws IOException {
        int p = requestedPort;
        for (int i = 0; i < hubs; i++) {
            CompletableFuture<Member> bound = new CompletableFuture<>();
            CompletableFuture<Integer> end = new CompletableFuture<>();
            int bindTo = p;
            boolean first = i == 0;
            Thread t = new Thread(() -> runHub(backend, bindTo, first, bound, end), "echo-hub-" + i);
            t.start();
            threads.add(t);
            ended.add(end);
            try {
                Member m = bound.get(30, TimeUnit.SECONDS);
                members.add(m);
                p = m.server().port(); // port 0: the first hub's port is everyone's
            } catch (ExecutionException | InterruptedException | TimeoutException e) {
                stopStarted();
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof BackendUnavailableException unavailable) {
                    throw unavailable;
                }
                throw new IllegalStateException("hub " + i + " could not start: " + cause, cause);
            }
        }
        this.port = p;
    }

    /**
     * Starts {@code hubs} threads, each a hub on {@code backend} (null: the default) serving echo on
     * {@code port} (0: a free one, shared). Blocks until all listen.
     *
     * @throws BindException if the port is in use, also by a program that shares ports (SO_REUSEPORT)
     * @throws BackendUnavailableException if the backend cannot run here
     */
    static MultiCoreEchoServer start(String backend, int hubs, int port) throws IOException {
        if (hubs < 1) {
            throw new IllegalArgumentException("at least one hub, not " + hubs);
        }
        return new MultiCoreEchoServer(backend, hubs, port);
    }

    private static void runHub(String backend, int port, boolean first, CompletableFuture<Member> bound,
            CompletableFuture<Integer> end) {
        try {
            Hub.run(backend, () -> {
                if (first) {
                    refuseIfListenedOn(port);
                }
                StreamServer server = StreamServer.builder(EchoServer.ECHO).bind("127.0.0.1", port).reusePort(true)
                        .maxConnections(10_000).start();
                AsyncResult<Duration> stop = new AsyncResult<>(); // completed by close(), from another thread
                bound.complete(new Member(Hub.current(), server, stop));
                end.complete(server.stop(stop.get()));
                return null;
            });
        } catch (Throwable e) {
            bound.completeExceptionally(e);
            end.completeExceptionally(e);
        }
    }

    /**
     * Binds (without listening) a socket without SO_REUSEPORT to the port and closes it: that fails if
     * anything listens there, even a program that set SO_REUSEPORT, which this example's listeners
     * would otherwise join. SO_REUSEADDR is on, so connections of an earlier run still in TIME_WAIT
     * do not count.
     */
    private static void refuseIfListenedOn(int port) throws BindException {
        if (port == 0) {
            return;
        }
        try (Socket probe = new Socket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException inUse) {
            BindException e = new BindException("Address already in use (another program listens there; with SO_REUSEPORT"
                    + " this one would silently share the port with it)");
            e.initCause(inUse);
            throw e;
        }
    }

    /** After a failed start: stops the hubs that did start, at once. */
    private void stopStarted() {
        try {
            close(Duration.ZERO);
        } catch (Exception alsoFailed) {
            // the start's failure is the one to report
        }
    }

    /** The shared port. */
    int port() {
        return port;
    }

    /** Open connections on every hub. Any thread. */
    int connections() throws Exception {
        int n = 0;
        for (Member m : members) {
            n += m.hub().submit(() -> m.server().connections()).get(5, TimeUnit.SECONDS);
        }
        return n;
    }

    /** Stops every hub (each stops its server with a 1 s grace) and waits for the threads. */
    @Override
    public void close() throws Exception {
        close(Duration.ofSeconds(1));
    }

    /**
     * Stops every hub's server with {@code grace} (see {@link StreamServer#stop}) and waits for the
     * hub threads to end. Any thread but a hub's.
     *
     * @return how many connections outlived the grace and were closed
     */
    int close(Duration grace) throws Exception {
        for (Member m : members) {
            m.stop().set(grace);
        }
        int killed = 0;
        for (int i = 0; i < members.size(); i++) {
            killed += ended.get(i).get(grace.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        return killed;
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("multicore", "[--port N] [--hubs N]", args, EchoServer.PORT, Set.of(),
                Map.of("--hubs", ExampleOptions.COUNT), false);
        int hubs = options.count("--hubs", Runtime.getRuntime().availableProcessors());
        MultiCoreEchoServer server;
        try {
            server = start(options.backend(), hubs, options.port());
        } catch (BackendUnavailableException e) {
            Examples.unavailable(e);
            return;
        } catch (IOException e) {
            System.err.println("cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage()
                    + "; pick another port with --port N");
            System.exit(1);
            return;
        }
        String at = "127.0.0.1:" + server.port();
        // The hook first, then the banner: a signal sent as soon as the banner shows must stop it.
        Examples.onSignal(() -> "stopping: closing " + at + " on " + hubs + " hub(s), " + server.connections()
                + " open connection(s) get " + Examples.GRACE.toSeconds() + " s to finish", () -> {
                    int killed = server.close(Examples.GRACE);
                    return "stopped" + (killed > 0 ? " (" + killed + " connection(s) outlived the grace and were closed)" : "")
                            + "; nothing listens on " + at + " any more";
                });
        System.out.println("echo on " + at + ", " + hubs + " hub(s) (threads) sharing the port through SO_REUSEPORT"
                + " (backend " + server.members.get(0).hub().backendName() + "). Ctrl-C or SIGTERM stops it.");
        Thread.currentThread().join();
    }
}
