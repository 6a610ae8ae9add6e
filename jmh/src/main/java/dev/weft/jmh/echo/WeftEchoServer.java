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

    /** The plain echo loop: read into a direct buffer, write back what was read. */
    private static final dev.weft.sockets.ConnectionHandler PLAIN = socket -> {
        socket.setNoDelay(true);
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        try {
            while (socket.read(buf.clear()) > 0) {
                socket.writeAll(buf.flip());
            }
        } catch (java.net.SocketException resetByTheLoadGenerator) {
            // the load generator resets its connections when a run ends
        }
    };

    /**
     * The plain echo server on a new group of {@code hubs} hubs (default backend), one {@code
     * SO_REUSEPORT} listener per hub ({@code StreamServer.Builder.startOn}); returns its port. From a
     * plain thread.
     */
    static int startOn(int hubs) throws java.io.IOException {
        dev.weft.fibers.HubGroup group = dev.weft.fibers.HubGroup.start(hubs);
        return StreamServer.builder(PLAIN).bind("127.0.0.1", 0).backlog(4096).startOn(group).port();
    }

    /** Starts the server on a new hub thread on {@code backend}; returns its port. */
    static int start(String backend) throws Exception {
        return start(backend, null);
    }

    /**
     * The same echo loop over {@link dev.weft.tls.TlsSocket}s: {@link dev.weft.tls.TlsServer#handler}
     * around it. {@code -Dweft.echo.tasks=INLINE|OFFLOAD|ADAPTIVE} picks where handshake tasks run.
     */
    static int startTls(String backend, java.nio.file.Path keyStore) throws Exception {
        dev.weft.tls.TlsServer tls = dev.weft.tls.TlsServer.builder(TlsKeys.serverContext(keyStore))
                .handshakeTasks(dev.weft.tls.HandshakeTasks.valueOf(System.getProperty("weft.echo.tasks", "ADAPTIVE")))
                .build();
        return start(backend, tls);
    }

    private static int start(String backend, dev.weft.tls.TlsServer tls) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name("weft-echo-hub").start(() -> {
            try {
                Hub.run(backend, () -> {
                    dev.weft.sockets.ConnectionHandler plain = PLAIN;
                    dev.weft.sockets.ConnectionHandler handler = tls == null ? plain : tls.handler(socket -> {
                        socket.tcp().setNoDelay(true);
                        ByteBuffer buf = ByteBuffer.allocate(4096);
                        try {
                            while (socket.read(buf.clear()) > 0) {
                                socket.writeAll(buf.flip());
                            }
                        } catch (java.net.SocketException resetByTheLoadGenerator) {
                            // the load generator resets its connections when a run ends
                        }
                    });
                    StreamServer server = StreamServer.builder(handler).bind("127.0.0.1", 0).backlog(4096).start();
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
