package dev.weft.bridges;

import java.io.IOException;
import java.net.Proxy;
import java.net.Socket;
import org.apache.hc.client5.http.io.DetachedSocketFactory;

/**
 * Apache HttpClient 5.4+'s socket hook for its classic (blocking) connection managers: {@link
 * FiberSocket}s. Since 5.4 the connection operator takes a {@code DetachedSocketFactory}; the older
 * route through a {@code Registry<ConnectionSocketFactory>} no longer reaches the plain sockets. Use it
 * with {@link FiberDnsResolver} (HttpClient resolves host names on the calling thread):
 *
 * <pre>{@code
 * var operator = new DefaultHttpClientConnectionOperator(new FiberDetachedSocketFactory(), null,
 *         new FiberDnsResolver(), RegistryBuilder.<TlsSocketStrategy>create()
 *                 .register("https", DefaultClientTlsStrategy.createDefault()).build());
 * var manager = new PoolingHttpClientConnectionManager(operator, PoolConcurrencyPolicy.STRICT,
 *         PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null);
 * }</pre>
 *
 * <p>The pool's own wait for a free connection (all {@code maxPerRoute} in use) blocks the hub
 * thread: size it for the fibers that use it at once; the hub watchdog names that wait. Stateless;
 * any thread (see {@link FiberSocket} for sockets used from several threads and hubs).
 */
public final class FiberDetachedSocketFactory implements DetachedSocketFactory {

    /** A factory; they are all alike. */
    public FiberDetachedSocketFactory() {
    }

    /**
     * An unconnected {@link FiberSocket}.
     *
     * @throws IOException if {@code socksProxy} is a proxy: FiberSocket connects directly only
     */
    @Override
    public Socket create(Proxy socksProxy) throws IOException {
        if (socksProxy != null && socksProxy.type() != Proxy.Type.DIRECT) {
            throw new java.net.SocketException("FiberSocket does not support proxies (" + socksProxy
                    + "); connect directly, or use the JDK's sockets off the hub");
        }
        return new FiberSocket();
    }
}
