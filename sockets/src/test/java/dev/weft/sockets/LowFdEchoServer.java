package dev.weft.sockets;

import dev.weft.fibers.Hub;
import java.nio.ByteBuffer;

/**
 * An echo server for {@link AcceptBackoffTest}, run in a child JVM whose descriptor limit is low
 * ({@code ulimit -n}), so that accepting more connections than that fails with EMFILE. Prints
 * {@code PORT <n>} and serves until killed.
 */
public final class LowFdEchoServer {
    private LowFdEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        Hub.run(() -> {
            // System.err is open already; a logger might need a descriptor it cannot get
            Hub.current().setUncaughtExceptionHandler((fiber, failure) -> {
                System.err.println("fiber " + fiber + " failed: " + failure);
                failure.printStackTrace();
            });
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                while (socket.read(buf.clear()) > 0) {
                    socket.writeAll(buf.flip());
                }
            }).backlog(1024).start();
            System.out.println("PORT " + server.port());
            System.out.flush();
            server.serveForever();
            return null;
        });
    }
}
