package dev.weft.examples;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Seed program 5: the gunicorn {@code -k gevent} demonstration. {@code GET /slow} takes 4 seconds
 * (it sleeps, as a handler waiting on a slow database would); {@code GET /fast} answers at once and
 * is not delayed by slow requests in flight, because each request is a fiber and sleeping parks only
 * that fiber. {@code GET /sleep?ms=N} sleeps N ms (for the concurrent-fetch example).
 *
 * <p>A deliberately minimal HTTP/1.1: GET only, one request per connection ({@code Connection:
 * close}), plain-text bodies.
 *
 * <pre>./weft example http [--backend nio|epoll|kqueue] [--port N]</pre>
 */
public final class SlowFastHttpServer {
    static final Duration SLOW = Duration.ofSeconds(4);

    private SlowFastHttpServer() {
    }

    /** Starts the server on the current hub; {@code slow} is how long {@code /slow} takes. */
    static StreamServer start(int port, Duration slow) throws IOException {
        return StreamServer.builder(socket -> serve(socket, slow)).bind("127.0.0.1", port).start();
    }

    private static void serve(TcpSocket socket, Duration slow) throws IOException {
        LineReader in = new LineReader(socket);
        String requestLine = in.readLine();
        if (requestLine == null) {
            return;
        }
        for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
            // headers are not needed here
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[0].equals("GET")) {
            respond(socket, 400, "only GET is served here\n");
            return;
        }
        String path = parts[1];
        if (path.equals("/fast")) {
            respond(socket, 200, "fast\n");
        } else if (path.equals("/slow")) {
            Fiber.sleep(slow);
            respond(socket, 200, "slow\n");
        } else if (path.startsWith("/sleep?ms=")) {
            long ms = Long.parseLong(path.substring("/sleep?ms=".length()));
            Fiber.sleep(Duration.ofMillis(ms));
            respond(socket, 200, "slept " + ms + " ms\n");
        } else {
            respond(socket, 404, "no route " + path + "\n");
        }
    }

    private static void respond(TcpSocket socket, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            default -> "Not Found";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        socket.writeAll(head.getBytes(StandardCharsets.US_ASCII));
        socket.writeAll(bytes);
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("http", "[--port N]", args, 8000, java.util.Set.of(), false);
        Examples.serveUntilSignal(options, port -> start(port, SLOW),
                "slow/fast HTTP (try: curl http://127.0.0.1:PORT/slow & curl http://127.0.0.1:PORT/fast)");
    }
}
