package dev.weft.sockets;

import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Name resolution that never blocks the hub: {@link InetAddress#getAllByName} (which honours
 * {@code /etc/hosts} and the system resolver) runs on the hub's {@link ThreadPool}; address literals
 * are parsed in place.
 *
 * <p>Thread rule: fibers only; the calling fiber parks while the lookup runs.
 */
public final class Resolver {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Resolver() {
    }

    /**
     * The addresses of {@code host}, in the system's order.
     *
     * @param timeout at most this long (null: no limit beyond enclosing {@link Timeout}s); a lookup
     *                that times out keeps running on its pool thread and its answer is dropped
     * @throws UnknownHostException   if the name does not resolve
     * @throws SocketTimeoutException if {@code timeout} passes first
     */
    public static List<InetAddress> resolve(String host, Duration timeout) throws UnknownHostException,
            SocketTimeoutException {
        if (host == null || host.isEmpty() || IPV4.matcher(host).matches() || host.indexOf(':') >= 0) {
            return List.of(InetAddress.getAllByName(host)); // a literal or the loopback: no lookup
        }
        Timeout t = timeout == null ? null : Timeout.after(timeout);
        try {
            return List.of(ThreadPool.offload(() -> InetAddress.getAllByName(host)));
        } catch (FiberTimeoutException e) {
            if (t != null && e.is(t)) {
                SocketTimeoutException ste = new SocketTimeoutException("resolving '" + host + "' took longer than "
                        + timeout.toMillis() + " ms");
                ste.initCause(e);
                throw ste;
            }
            throw e;
        } catch (UnknownHostException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("InetAddress.getAllByName threw " + e, e);
        } finally {
            if (t != null) {
                t.close();
            }
        }
    }
}
