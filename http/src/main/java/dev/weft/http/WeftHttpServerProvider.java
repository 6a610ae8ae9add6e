package dev.weft.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Makes {@code HttpServer.create(...)} return a {@link WeftHttpServer}. The JDK uses it when it is
 * named by {@code -Dcom.sun.net.httpserver.HttpServerProvider=dev.weft.http.WeftHttpServerProvider},
 * or, with that property unset, when the {@code http} module is on the class path (its service file
 * {@code META-INF/services/com.sun.net.httpserver.spi.HttpServerProvider} names this class). Then
 * existing code written against the JDK's API runs on fibers unchanged. Servers get {@link
 * HttpLimits#defaults()}, which the {@code weft.http.*} system properties adjust.
 */
public final class WeftHttpServerProvider extends HttpServerProvider {

    /** For the JDK's {@link java.util.ServiceLoader}. */
    public WeftHttpServerProvider() {
    }

    /** A {@link WeftHttpServer}, bound to {@code address} unless it is null. */
    @Override
    public HttpServer createHttpServer(InetSocketAddress address, int backlog) throws IOException {
        return WeftHttpServer.create(address, backlog);
    }

    /**
     * Not available yet.
     *
     * @throws UnsupportedOperationException always: HTTPS needs Weft's TLS layer (an {@code
     *         SSLEngine} over a fiber socket, {@code TlsSocket.server(sslContext, socket)}) to wrap
     *         each accepted connection before the HTTP layer reads it; that module is not part of
     *         this build
     */
    @Override
    public HttpsServer createHttpsServer(InetSocketAddress address, int backlog) {
        throw new UnsupportedOperationException("HttpsServer is not supported by Weft's HTTP server yet: it needs the"
                + " Weft TLS layer (TlsSocket.server(sslContext, socket)) to wrap each accepted connection, which this"
                + " build does not have. Use plain HTTP behind a TLS-terminating proxy, or the JDK's own HttpsServer"
                + " without the Weft provider (remove the weft http jar or set"
                + " -Dcom.sun.net.httpserver.HttpServerProvider to another provider).");
    }
}
