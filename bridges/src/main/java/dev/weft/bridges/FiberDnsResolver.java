package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.sockets.Resolver;
import dev.weft.sockets.ThreadPool;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;

/**
 * Apache HttpClient 5's host-name hook, resolving off the hub: HttpClient's connection operator
 * resolves the target's name on the calling thread before it connects (its default, {@code
 * SystemDefaultDnsResolver}, calls {@code InetAddress.getAllByName}, which in a fiber blocks the hub for
 * the lookup). In a fiber this one parks the fiber while {@link Resolver} looks the name up on the hub's
 * thread pool; elsewhere it is the JDK's lookup. Stateless; any thread.
 */
public final class FiberDnsResolver implements DnsResolver {

    /** A resolver; they are all alike. */
    public FiberDnsResolver() {
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        if (!Fiber.inFiber()) {
            return InetAddress.getAllByName(host);
        }
        try {
            return Resolver.resolve(host, null).toArray(InetAddress[]::new);
        } catch (SocketTimeoutException cannotHappenWithoutALimit) {
            UnknownHostException e = new UnknownHostException(host + ": " + cannotHappenWithoutALimit.getMessage());
            e.initCause(cannotHappenWithoutALimit);
            throw e;
        }
    }

    /** The canonical name (a reverse lookup, for Kerberos), on the hub's thread pool in a fiber. */
    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        if (host == null) {
            return null;
        }
        if (!Fiber.inFiber()) {
            return InetAddress.getByName(host).getCanonicalHostName();
        }
        try {
            return ThreadPool.offload(() -> InetAddress.getByName(host).getCanonicalHostName());
        } catch (UnknownHostException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the canonical name lookup of " + host + " failed: " + e, e);
        }
    }
}
