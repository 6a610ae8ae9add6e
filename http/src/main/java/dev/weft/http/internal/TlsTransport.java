package dev.weft.http.internal;

import dev.weft.tls.TlsSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLSession;

/**
 * The transport of an HTTPS connection: a {@link TlsSocket} after its handshake. Half-close sends
 * TLS {@code close_notify} and then half-closes TCP; close sends {@code close_notify} and closes.
 *
 * <p>Thread rule: fibers of the hub that owns the socket.
 */
final class TlsTransport implements Transport {
    private final TlsSocket socket;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;

    TlsTransport(TlsSocket socket) {
        this.socket = socket;
        InetSocketAddress l;
        InetSocketAddress r;
        try {
            l = socket.localAddress();
            r = socket.remoteAddress();
        } catch (IOException e) {
            l = null;
            r = null;
        }
        this.local = l;
        this.remote = r;
    }

    @Override
    public InputStream input() {
        return socket.inputStream();
    }

    @Override
    public OutputStream output() {
        return socket.outputStream();
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
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public SSLSession sslSession() {
        return socket.session();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
