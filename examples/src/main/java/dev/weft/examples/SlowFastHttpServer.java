package dev.weft.examples;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.fibers.Fiber;
import dev.weft.http.WeftHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Seed program 5, {@code gunicorn -k gevent} for Java: ordinary {@code com.sun.net.httpserver}
 * handlers, served by fibers. {@code GET /for} takes 4 seconds (it sleeps, as a handler waiting on
 * a slow database would); {@code GET /bar} answers at once and is not delayed by any number of
 * {@code /for} requests in flight, because each exchange is a fiber and sleeping parks only that
 * fiber. {@code GET /sleep?ms=N} sleeps N ms (for the concurrent-fetch example).
 *
 * <pre>./weft example http [--backend nio|epoll|kqueue] [--port N]     (port 8000 by default, as gunicorn's)</pre>
 */
public final class SlowFastHttpServer {
    static final Duration SLOW = Duration.ofSeconds(4);

    private SlowFastHttpServer() {
    }

    /**
     * Starts the server on {@code address}: on the current hub when called in a fiber, else on a hub
     * thread of its own. {@code slow} is how long {@code /for} takes.
     */
    static WeftHttpServer start(InetSocketAddress address, Duration slow) throws IOException {
        WeftHttpServer server = WeftHttpServer.create(address, 0);
        server.createContext("/for", ex -> {
            Fiber.sleep(slow);
            respond(ex, 200, "for\n");
        });
        server.createContext("/bar", ex -> respond(ex, 200, "bar\n"));
        server.createContext("/sleep", ex -> {
            String query = ex.getRequestURI().getQuery();
            long ms;
            try {
                ms = Long.parseLong(query == null ? "" : query.replaceFirst("^ms=", ""));
            } catch (NumberFormatException e) {
                respond(ex, 400, "use /sleep?ms=N\n");
                return;
            }
            Fiber.sleep(Duration.ofMillis(ms));
            respond(ex, 200, "slept " + ms + " ms\n");
        });
        server.createContext("/", ex -> respond(ex, 404, "no route " + ex.getRequestURI().getPath() + "\n"));
        server.start();
        return server;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("http", "[--port N]", args, 8000, java.util.Set.of(), false);
        if (options.backend() != null) {
            System.setProperty("weft.hub", options.backend()); // the server's own hub thread picks it
        }
        // Bound on this (ordinary) thread, the server runs on a group of hubs of its own (one per core) until stopped.
        WeftHttpServer server;
        try {
            server = start(new InetSocketAddress("127.0.0.1", options.port()), SLOW);
        } catch (java.net.BindException inUse) {
            System.err.println("http: " + inUse.getMessage() + " (try --port N)");
            System.exit(1);
            return;
        }
        int actual = server.getAddress().getPort();
        // The hook first, then the banner: a signal sent as soon as the banner shows must stop it.
        Examples.onSignal(() -> "stopping: exchanges in flight get " + Examples.GRACE.toSeconds() + " s to finish", () -> {
            server.stop((int) Examples.GRACE.toSeconds());
            return "stopped; nothing listens on 127.0.0.1:" + actual + " any more";
        });
        System.out.println("slow/fast HTTP on http://127.0.0.1:" + actual + "/ (try: curl http://127.0.0.1:" + actual
                + "/for & curl http://127.0.0.1:" + actual + "/bar). Ctrl-C or SIGTERM stops it.");
    }
}
