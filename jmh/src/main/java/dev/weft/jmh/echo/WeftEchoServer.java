package dev.weft.jmh.echo;

import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Weft's echo server: one hub thread, one fiber per connection reading into a direct buffer and
 * writing back what it read, the plain blocking-style code a user would write.
 */
final class WeftEchoServer {
    private WeftEchoServer() {
    }

    /** Starts the server on a new hub thread on {@code backend}; returns its port. */
    static int start(String backend) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name("weft-echo-hub").start(() -> {
            try {
                Hub.run(backend, () -> {
                    StreamServer server = StreamServer.builder(socket -> {
                        socket.setNoDelay(true);
                        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
                        while (socket.read(buf.clear()) > 0) {
                            socket.writeAll(buf.flip());
                        }
                    }).bind("127.0.0.1", 0).backlog(4096).start();
                    port.complete(server.port());
                    server.serveForever();
                    return null;
                });
            } catch (Throwable t) {
                port.completeExceptionally(t);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }
}
