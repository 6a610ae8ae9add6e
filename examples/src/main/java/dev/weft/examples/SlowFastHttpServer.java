package dev.weft.examples;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
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
 * <pre>./weft example http [--port N]     (port 8000 by default, as gunicorn's)</pre>
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
        int port = 8000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else if (args[i].matches("\\d+")) {
                port = Integer.parseInt(args[i]);
            } else {
                System.err.println("usage: SlowFastHttpServer [--port N]");
                System.exit(2);
            }
        }
        int p = port;
        Hub.run(() -> {
            WeftHttpServer server = start(new InetSocketAddress("127.0.0.1", p), SLOW);
            int actual = server.getAddress().getPort();
            System.out.println("serving on http://127.0.0.1:" + actual + "/ (" + Hub.current().backendName()
                    + "); try: curl http://127.0.0.1:" + actual + "/for & curl http://127.0.0.1:" + actual + "/bar");
            new Event().await(); // serve until the JVM is stopped
        });
    }
}
