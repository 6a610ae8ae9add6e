package dev.weft.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Makes {@code HttpServer.create(...)} return a {@link WeftHttpServer} and {@code HttpsServer.create(...)} a
 * {@link WeftHttpsServer}. The JDK uses it when it is
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

    /** A {@link WeftHttpsServer}, bound to {@code address} unless it is null; set its configurator before starting it. */
    @Override
    public HttpsServer createHttpsServer(InetSocketAddress address, int backlog) throws IOException {
        return WeftHttpsServer.create(address, backlog);
    }
}
