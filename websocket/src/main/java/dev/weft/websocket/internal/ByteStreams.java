package dev.weft.websocket.internal;

import dev.weft.sockets.TcpSocket;
import dev.weft.tls.TlsSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;

/**
 * The adapters from Weft's two sockets to {@link ByteStream}. When issue 27's public connection
 * contract exists, both sockets implement it and this class becomes one line (see {@link ByteStream}).
 */
public final class ByteStreams {
    private ByteStreams() {
    }

    /** A plain TCP connection. */
    public static ByteStream of(TcpSocket socket) {
        Objects.requireNonNull(socket, "socket");
        return new SocketStream(socket, socket::shutdownOutput, socket::close, socket::isOpen, socket::localAddress,
                socket::remoteAddress, () -> null);
    }

    /** A TLS connection after its handshake (client or server side). */
    public static ByteStream of(TlsSocket socket) {
        Objects.requireNonNull(socket, "socket");
        return new SocketStream(socket, socket::shutdownOutput, socket::close, socket::isOpen, socket::localAddress,
                socket::remoteAddress, socket::session);
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Both sockets are {@link ByteChannel}s with the same remaining calls under the same names. */
    private record SocketStream(ByteChannel channel, IoAction shutdown, Runnable closer, Supplier<Boolean> open,
                                IoCall<InetSocketAddress> local, IoCall<InetSocketAddress> remote,
                                Supplier<SSLSession> session) implements ByteStream {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public void shutdownOutput() throws IOException {
            shutdown.run();
        }

        @Override
        public void close() {
            closer.run();
        }

        @Override
        public boolean isOpen() {
            return open.get();
        }

        @Override
        public InetSocketAddress localAddress() {
            return address(local);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return address(remote);
        }

        private static InetSocketAddress address(IoCall<InetSocketAddress> call) {
            try {
                return call.call();
            } catch (IOException | RuntimeException gone) {
                return null;
            }
        }

        @Override
        public SSLSession sslSession() {
            return session.get();
        }

        @Override
        public String toString() {
            return channel.toString();
        }
    }
}
