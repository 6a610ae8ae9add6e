package dev.weft.websocket;

import dev.weft.fibers.Event;
import dev.weft.fibers.Queue;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A listening socket on 127.0.0.1 whose connections a test takes one by one as {@link RawPeer}s in the
 * server role, to play a misbehaving (or merely scripted) server against Weft's client.
 */
final class RawServer implements AutoCloseable {
    private final Queue<TcpSocket> accepted = new Queue<>(16);
    private final Event done = new Event();
    private final StreamServer server;

    RawServer() throws IOException {
        server = StreamServer.builder(socket -> {
            accepted.put(socket);
            done.await(); // the socket stays open until the test is done with it
        }).bind("127.0.0.1", 0).start();
    }

    URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    int port() {
        return server.port();
    }

    /** The next connection, after answering its upgrade request with 101 ({@code extraHeaders}: CRLF-terminated lines). */
    RawPeer accept(String extraHeaders) throws IOException {
        return RawPeer.accept(accepted.get(), extraHeaders);
    }

    /** The next connection as it is (no handshake). */
    TcpSocket acceptRaw() {
        return accepted.get();
    }

    @Override
    public void close() {
        done.set();
        server.stop(Duration.ofSeconds(1));
    }
}
