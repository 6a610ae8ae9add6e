package dev.weft.http.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.TlsServer;
import dev.weft.tls.TlsSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The connection handler of an HTTPS server: performs the server side of the TLS handshake on each
 * accepted socket with the tls module's {@link TlsServer} (over the current {@link
 * HttpsConfigurator}'s {@code SSLContext}, its {@code configure} run for every connection, within
 * the handshake timeout), then serves HTTP over the TLS socket with the same {@link HttpService} as
 * plain HTTP. A failed handshake (a plaintext client, which gets {@code 400} if it spoke HTTP, an
 * untrusted certificate, a timeout) closes that connection only, logged at DEBUG on {@code
 * dev.weft.http}; a configurator that throws is logged at WARNING.
 *
 * <p>Thread rule: the hub thread (the accept fiber's connection fibers).
 */
public final class HttpsConnections {
    private static final System.Logger LOG = System.getLogger("dev.weft.http");

    private final HttpService service;
    private final Supplier<HttpsConfigurator> configurator;
    private final Duration handshakeTimeout;
    /** The TLS settings made for {@link #builtFor}; rebuilt when the server's configurator changes. */
    private TlsServer tls;
    private HttpsConfigurator builtFor;

    public HttpsConnections(HttpService service, Supplier<HttpsConfigurator> configurator, Duration handshakeTimeout) {
        this.service = service;
        this.configurator = configurator;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** Handshakes and serves one accepted connection until it ends (a {@code ConnectionHandler}). */
    public void serve(TcpSocket tcp) throws IOException {
        tcp.setNoDelay(true);
        TlsSocket socket;
        try {
            socket = tlsFor(tcp).accept(tcp);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "HTTPS: " + e.getMessage());
            return;
        } catch (FiberTimeoutException e) {
            throw e; // a caller's Timeout, not ours (the handshake timeout arrives as an IOException)
        } catch (RuntimeException e) {
            tcp.close();
            LOG.log(System.Logger.Level.WARNING, "HTTPS: the connection from " + peer(tcp) + " was closed: its TLS"
                    + " setup failed (does the HttpsConfigurator's configure(HttpsParameters) throw?)", e);
            return;
        }
        service.serve(socket);
    }

    private TlsServer tlsFor(TcpSocket tcp) {
        HttpsConfigurator c = configurator.get();
        if (c == null) {
            throw new IllegalStateException("no HttpsConfigurator: call setHttpsConfigurator before start()");
        }
        if (c != builtFor) {
            tls = TlsServer.builder(c.getSSLContext()).handshakeTimeout(handshakeTimeout)
                    .parameters((parameters, serverName, peer) -> HttpsParametersImpl.configure(c, peer, parameters))
                    .build();
            builtFor = c;
        }
        return tls;
    }

    private static InetSocketAddress peer(TcpSocket tcp) {
        try {
            return tcp.remoteAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
