package dev.weft.examples;

import dev.weft.fibers.HubGroup;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.StreamServerGroup;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The echo server on every core, the showcase of a {@link HubGroup}: N hubs on N threads, and one
 * {@link StreamServer} on each, all on one port ({@link StreamServer.Builder#startOn}: one
 * SO_REUSEPORT listener per hub; the kernel spreads the connections among them). A connection is
 * served by fibers of the hub that accepted it, for its whole life: the fibers of one hub never race.
 *
 * <p>SO_REUSEPORT would also let a second program, such as a second copy of this example, listen on
 * the same port and silently take half of the connections, so a port something already listens on
 * is refused ({@link StreamServerGroup}).
 *
 * <pre>./weft example multicore [--backend nio|epoll|kqueue] [--port N] [--hubs N]   (default: one hub per core, port 7788)</pre>
 * SIGINT (Ctrl-C) or SIGTERM stops every hub's server cleanly.
 */
public final class MultiCoreEchoServer implements AutoCloseable {
    private final HubGroup group;
    private final StreamServerGroup server;

    private MultiCoreEchoServer(HubGroup group, StreamServerGroup server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Starts a group of {@code hubs} hubs on {@code backend} (null: the default) serving echo on
     * {@code port} (0: a free one, shared). Blocks until all listen.
     *
     * @throws BindException if the port is in use, also by a program that shares ports (SO_REUSEPORT)
     * @throws BackendUnavailableException if the backend cannot run here
     */
    static MultiCoreEchoServer start(String backend, int hubs, int port) throws IOException {
        if (hubs < 1) {
            throw new IllegalArgumentException("at least one hub, not " + hubs);
        }
        HubGroup group = HubGroup.start(backend, hubs);
        try {
            return new MultiCoreEchoServer(group,
                    StreamServer.builder(EchoServer.ECHO).bind("127.0.0.1", port).maxConnections(10_000).startOn(group));
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** The shared port. */
    int port() {
        return server.port();
    }

    /** Open connections on every hub. Any thread. */
    int connections() {
        return server.connections();
    }

    /** The per-hub connection counts and how evenly they spread. Any thread. */
    String dump() {
        return server.dump();
    }

    /** Stops every hub (each stops its server with a 1 s grace) and waits for the threads. */
    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }

    /**
     * Stops every hub's server with {@code grace} (see {@link StreamServer#stop}), then the group,
     * and waits for the hub threads to end. Any thread but a hub's.
     *
     * @return how many connections outlived the grace and were closed
     */
    int close(Duration grace) {
        try {
            return server.stop(grace);
        } finally {
            group.stop(Duration.ZERO);
        }
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("multicore", "[--port N] [--hubs N]", args, EchoServer.PORT, Set.of(),
                Map.of("--hubs", ExampleOptions.COUNT), false);
        int hubs = options.count("--hubs", HubGroup.defaultSize());
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
        System.out.println("echo on " + at + ", " + server.server.hubs() + " hub(s) (threads) sharing the port through SO_REUSEPORT"
                + " (backend " + server.group.hubs().get(0).backendName() + "). Ctrl-C or SIGTERM stops it.");
        Thread.currentThread().join();
    }
}
