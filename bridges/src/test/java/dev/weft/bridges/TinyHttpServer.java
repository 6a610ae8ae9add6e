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

    /** The server on a hub of its own thread (clients that block their hub must not block the server). */
    static final class OwnHub implements AutoCloseable {
        final int port;
        private final Thread thread;
        private final java.util.concurrent.CompletableFuture<Void> stop;

        private OwnHub(int port, Thread thread, java.util.concurrent.CompletableFuture<Void> stop) {
            this.port = port;
            this.thread = thread;
            this.stop = stop;
        }

        /** Stops the server and its hub. */
        @Override
        public void close() throws InterruptedException {
            stop.complete(null);
            thread.join(10_000);
        }
    }

    /** Starts the server on a new thread's hub. */
    static OwnHub startOnItsOwnHub() throws Exception {
        java.util.concurrent.CompletableFuture<Void> stop = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                dev.weft.fibers.Hub.run(() -> {
                    StreamServer server = start();
                    port.complete(server.port());
                    Fiber.await(stop);
                    server.stop(Duration.ofSeconds(1));
                });
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        }, "http-server-hub");
        t.start();
        return new OwnHub(port.get(), t, stop);
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
