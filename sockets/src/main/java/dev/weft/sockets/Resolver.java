package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
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
 * are parsed in place. Every name Weft's sockets and servers take goes through here.
 *
 * <p>Thread rule: fibers only; the calling fiber parks while the lookup runs.
 */
public final class Resolver {
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    /** A dotted quad of decimal octets 0-255, no leading zeros: what the JDK parses without a lookup. */
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

    private Resolver() {
    }

    /**
     * The addresses of {@code host}, in the system's order.
     *
     * @param timeout at most this long: null for no limit beyond enclosing {@link Timeout}s; zero or
     *                negative: only a literal succeeds. A lookup that times out keeps running on
     *                its pool thread and its answer is dropped
     * @throws UnknownHostException   if the name does not resolve
     * @throws SocketTimeoutException if {@code timeout} passes first
     */
    public static List<InetAddress> resolve(String host, Duration timeout) throws UnknownHostException,
            SocketTimeoutException {
        if (isAddressLiteral(host)) {
            return List.of(InetAddress.getAllByName(host)); // a literal or the loopback: no lookup
        }
        if (Fiber.inFiber() && Hub.current().loop().isSimulated()) {
            throw new UnknownHostException(host + ": a simulated hub (the sim backend) resolves no names (a real"
                    + " lookup's answer and timing are outside the seed); use address literals such as 127.0.0.1");
        }
        long deadline = Deadlines.after(timeout);
        Timeout t = deadline == Deadlines.NONE ? null : Timeout.after(Duration.ofNanos(Deadlines.remaining(deadline)));
        try {
            return List.of(ThreadPool.offload(() -> InetAddress.getAllByName(host)));
        } catch (FiberTimeoutException e) {
            if (t != null && e.is(t)) {
                SocketTimeoutException ste = new SocketTimeoutException("resolving '" + host + "' took longer than "
                        + SocketSide.millis(timeout) + " ms");
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

    /**
     * Whether {@link InetAddress#getAllByName} answers {@code host} without a lookup: null or empty
     * (the loopback), a dotted quad in range, or an IPv6 literal (which the JDK parses or rejects
     * without a lookup when it starts with '[', ':' or a hex digit).
     */
    static boolean isAddressLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return true;
        }
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        char first = host.charAt(0);
        return host.indexOf(':') >= 0 && (first == '[' || first == ':' || Character.digit(first, 16) >= 0);
    }
}
