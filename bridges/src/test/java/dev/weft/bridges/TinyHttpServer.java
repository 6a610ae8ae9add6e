package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A minimal HTTP/1.1 responder on a Weft {@link StreamServer} (a fiber per connection, keep-alive),
 * for the HTTP client tests: {@code /hello/X} answers "hello X", {@code /sleep?ms=N} answers after N
 * ms, {@code /never} never answers. GET only; request bodies are skipped.
 */
final class TinyHttpServer {
    private TinyHttpServer() {
    }

    static StreamServer start() throws IOException {
        return StreamServer.builder(TinyHttpServer::serve).bind("127.0.0.1", 0).maxConnections(10_000).start();
    }

    private static void serve(TcpSocket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.ISO_8859_1));
        while (true) {
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            long contentLength = 0;
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    contentLength = Long.parseLong(h.substring(15).trim());
                }
            }
            in.skip(contentLength);
            String path = requestLine.split(" ")[1];
            String body;
            if (path.startsWith("/hello/")) {
                body = "hello " + path.substring(7);
            } else if (path.startsWith("/sleep?ms=")) {
                long ms = Long.parseLong(path.substring(10));
                Fiber.sleep(Duration.ofMillis(ms));
                body = "slept " + ms;
            } else if (path.equals("/never")) {
                Fiber.sleep(Duration.ofHours(1));
                body = "unreachable";
            } else {
                body = "no route " + path;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            socket.writeAll(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.writeAll(bytes);
        }
    }
}
