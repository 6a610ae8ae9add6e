package dev.weft.bridges;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import dev.weft.fibers.Fiber;
import dev.weft.sockets.Resolver;
import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;

/**
 * MySQL Connector/J's socket hook ({@code com.mysql.cj.protocol.SocketFactory}, not {@code
 * javax.net.SocketFactory}) with {@link FiberSocket}s: the connection property {@code
 * socketFactory=dev.weft.bridges.FiberMysqlSocketFactory}. Everything else is Connector/J's own
 * {@link StandardSocketFactory}: its socket options, connect timeout, login-timeout countdown and TLS
 * (the JDK's, layered over the {@code FiberSocket}).
 *
 * <p>Host names: Connector/J resolves the host with {@code InetAddress.getAllByName} on the calling
 * thread, which in a fiber would block the hub for the lookup. Called in a fiber, this factory first
 * resolves the name with {@link Resolver} (off the hub), which fills the JVM's name cache, so the
 * driver's own lookup that follows finds it there (the cache keeps a name for 30 s by default,
 * {@code networkaddress.cache.ttl}). An address literal needs no lookup at all.
 *
 * <p>Connector/J instantiates it by class name, once per connection; not shared between threads.
 * MariaDB Connector/J needs no adapter: its {@code socketFactory} property takes {@link FiberSocketFactory}.
 */
public class FiberMysqlSocketFactory extends StandardSocketFactory {

    /** One per connection, made by Connector/J. */
    public FiberMysqlSocketFactory() {
    }

    /** A {@link FiberSocket}, unconnected; Connector/J configures and connects it. */
    @Override
    protected Socket createSocket(PropertySet props) {
        try {
            return new FiberSocket();
        } catch (java.net.SocketException never) {
            throw new IllegalStateException(never);
        }
    }

    /** Resolves {@code host} off the hub first (in a fiber), then connects as Connector/J does. */
    @Override
    public <T extends Closeable> T connect(String host, int port, PropertySet props, int loginTimeout) throws IOException {
        if (host != null && Fiber.inFiber()) {
            Resolver.resolve(host, null);
        }
        return super.connect(host, port, props, loginTimeout);
    }
}
