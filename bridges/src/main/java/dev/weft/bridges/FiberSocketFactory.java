package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * The {@link SocketFactory} to hand to libraries that take one (pgjdbc's {@code socketFactory}
 * connection property, OkHttp's {@code socketFactory(...)}, a Jedis {@code JedisSocketFactory} in
 * one line): it makes {@link FiberSocket}s, whose blocking calls park only the calling fiber.
 *
 * <p>Which thread calls it does not matter to the caller: in a fiber the socket belongs to that fiber's
 * hub; on a thread that runs no hub (a pool's own thread, such as HikariCP's connection adder; a
 * driver's timer, such as the one pgjdbc cancels a query from) it belongs to a shared daemon hub, and
 * it is still cooperative in any hub's fiber that uses it later, and blocking (as a JDK socket) on
 * plain threads (see {@link FiberSocket}). It never hands out a plain JDK socket. On a hub thread
 * outside any fiber (a hub callback), where waiting would block every fiber of the hub, the connecting
 * variants throw {@link NotInFiberException}.
 *
 * <p>The connecting variants resolve host names off the hub ({@code dev.weft.sockets.Resolver}).
 * Binding a local address before connecting is not supported (a {@link SocketException}).
 * Stateless; one instance may be shared by any number of threads and hubs. pgjdbc instantiates it
 * by its class name through the public no-argument constructor.
 */
public class FiberSocketFactory extends SocketFactory {

    /** A factory; they are all alike. */
    public FiberSocketFactory() {
    }

    /** An unconnected {@link FiberSocket}. Any thread. */
    @Override
    public Socket createSocket() throws IOException {
        return new FiberSocket();
    }

    /** A socket connected to {@code host}:{@code port} (the name resolved off the hub). */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        refuseOnHubOutsideFiber("createSocket(host, port)");
        return connected(InetSocketAddress.createUnresolved(host, port));
    }

    /** A socket connected to {@code address}:{@code port}. */
    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        refuseOnHubOutsideFiber("createSocket(address, port)");
        return connected(new InetSocketAddress(address, port));
    }

    /**
     * A socket connected to {@code host}:{@code port} from {@code localAddress}:{@code localPort}; only a
     * null or wildcard local address with port 0 is accepted.
     */
    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        refuseOnHubOutsideFiber("createSocket(host, port, local...)");
        refuseLocalBind(localAddress, localPort);
        return connected(InetSocketAddress.createUnresolved(host, port));
    }

    /** As {@link #createSocket(String, int, InetAddress, int)}, to an address. */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        refuseOnHubOutsideFiber("createSocket(address, port, local...)");
        refuseLocalBind(localAddress, localPort);
        return connected(new InetSocketAddress(address, port));
    }

    /**
     * Runs a connection opener ({@code () -> DriverManager.getConnection(url, props)}) in the calling
     * fiber and returns what it returns; if it throws anything (a refused connect, a failed login, a
     * kill, a {@link dev.weft.fibers.Timeout}), every socket this factory made for the calling fiber
     * meanwhile is closed before the failure passes on, as is. Drivers close their half-open socket in
     * {@code catch (Exception)}, which a {@link dev.weft.fibers.FiberKilledError} passes by: without
     * this, a fiber killed during a connect leaves the socket, and the server's connection, open.
     * {@link ConnectionPool} runs its opener this way. Sockets the driver opens on other threads (a
     * login-timeout helper thread) are not the calling fiber's and are not tracked.
     *
     * @throws Exception what the opener threw, as is
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static <T> T closeOnFailure(java.util.concurrent.Callable<T> opener) throws Exception {
        java.util.Objects.requireNonNull(opener, "opener");
        Fiber.current();
        return OpeningScope.run(opener);
    }

    private static Socket connected(InetSocketAddress remote) throws IOException {
        FiberSocket s = new FiberSocket();
        s.connect(remote, 0); // connect closes the socket if it fails
        return s;
    }

    private static void refuseLocalBind(InetAddress localAddress, int localPort) throws SocketException {
        if ((localAddress != null && !localAddress.isAnyLocalAddress()) || localPort != 0) {
            throw new SocketException("FiberSocket cannot bind to a local address (" + localAddress + ":" + localPort
                    + ") before connecting; leave the local address to the system");
        }
    }

    /** {@link NotInFiberException} on a hub thread outside any fiber, where a connect would block the hub. */
    private static void refuseOnHubOutsideFiber(String what) {
        if (Fiber.inFiber()) {
            return;
        }
        Hub hub;
        try {
            hub = Hub.current();
        } catch (NotInFiberException noHubHere) {
            return; // a thread of its own: the socket goes to the bridge hub, this thread may block
        }
        throw new NotInFiberException("FiberSocketFactory." + what + " was called on the hub thread '"
                + hub.thread().getName() + "' outside any fiber (a timer, a callback); a connect there would block"
                + " every fiber of the hub. Spawn a fiber to open the connection.");
    }
}
