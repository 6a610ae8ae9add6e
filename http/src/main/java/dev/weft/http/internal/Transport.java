package dev.weft.http.internal;

import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLSession;

/**
 * What an HTTP connection needs from the byte stream under it: blocking-style streams (parking only
 * the calling fiber), a per-call timeout, half-close, close and the two addresses. A plain {@link
 * TcpSocket} is one ({@link #of(TcpSocket)}); a TLS socket wrapping the accepted socket is another
 * ({@link TlsTransport}), so that an {@code HttpsServer} reuses the whole HTTP layer unchanged.
 *
 * <p>Thread rule: fibers of the hub that owns the socket.
 */
public interface Transport extends AutoCloseable {
    /** The request side; reads park the calling fiber; -1 at end of stream. */
    InputStream input();

    /** The response side; writes park the calling fiber until everything was written. */
    OutputStream output();

    /** A limit for every later blocking read or write; exceeding it throws {@link java.net.SocketTimeoutException}. */
    void setTimeout(Duration timeout);

    /** Ends the response side (the peer reads end of stream) and keeps reading possible. */
    void shutdownOutput() throws IOException;

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();

    /** The TLS session of an HTTPS connection (what {@code HttpsExchange.getSSLSession()} returns); null for plain TCP. */
    default SSLSession sslSession() {
        return null;
    }

    /** Closes the connection; fibers blocked on it wake with an {@link IOException}. Idempotent. */
    @Override
    void close();

    /** The transport of a plain TCP connection. */
    static Transport of(TcpSocket socket) {
        InetSocketAddress local;
        InetSocketAddress remote;
        try {
            local = socket.localAddress();
            remote = socket.remoteAddress();
        } catch (IOException e) {
            local = null;
            remote = null;
        }
        InetSocketAddress l = local;
        InetSocketAddress r = remote;
        InputStream in = socket.inputStream();
        OutputStream out = socket.outputStream();
        return new Transport() {
            @Override
            public InputStream input() {
                return in;
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void setTimeout(Duration timeout) {
                socket.setTimeout(timeout);
            }

            @Override
            public void shutdownOutput() throws IOException {
                socket.shutdownOutput();
            }

            @Override
            public InetSocketAddress localAddress() {
                return l;
            }

            @Override
            public InetSocketAddress remoteAddress() {
                return r;
            }

            @Override
            public void close() {
                socket.close();
            }

            @Override
            public String toString() {
                return socket.toString();
            }
        };
    }
}
