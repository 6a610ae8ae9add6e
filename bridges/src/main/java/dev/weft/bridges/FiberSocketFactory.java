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
 * one line): called from a fiber it makes a {@link FiberSocket}, whose blocking calls park only that
 * fiber.
 *
 * <p>Called from a thread that runs no hub (a driver's timer or helper thread, such as the one
 * pgjdbc cancels a query from), it makes a plain {@link java.net.Socket}: such threads may block,
 * and the library keeps working. Called on a hub thread outside any fiber (a hub callback), where a
 * plain socket would block every fiber of the hub, it throws {@link NotInFiberException}.
 *
 * <p>The connecting variants resolve host names off the hub ({@code dev.weft.sockets.Resolver}).
 * Binding a local address before connecting is not supported in fibers (a {@link SocketException}).
 * Stateless; one instance may be shared by any number of threads and hubs. pgjdbc instantiates it
 * by its class name through the public no-argument constructor.
 */
public class FiberSocketFactory extends SocketFactory {

    /** A factory; they are all alike. */
    public FiberSocketFactory() {
    }

    /** An unconnected socket: a {@link FiberSocket} in a fiber, a JDK socket on other threads. */
    @Override
    public Socket createSocket() throws IOException {
        return inFiber("createSocket()") ? new FiberSocket() : new Socket();
    }

    /** A socket connected to {@code host}:{@code port} (resolved off the hub in a fiber). */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        if (!inFiber("createSocket(host, port)")) {
            return new Socket(host, port);
        }
        return connected(InetSocketAddress.createUnresolved(host, port));
    }

    /** A socket connected to {@code address}:{@code port}. */
    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        if (!inFiber("createSocket(address, port)")) {
            return new Socket(address, port);
        }
        return connected(new InetSocketAddress(address, port));
    }

    /**
     * A socket connected to {@code host}:{@code port} from {@code localAddress}:{@code localPort}; in a
     * fiber only a null or wildcard local address with port 0 is accepted.
     */
    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        if (!inFiber("createSocket(host, port, local...)")) {
            return new Socket(host, port, localAddress, localPort);
        }
        refuseLocalBind(localAddress, localPort);
        return connected(InetSocketAddress.createUnresolved(host, port));
    }

    /** As {@link #createSocket(String, int, InetAddress, int)}, to an address. */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        if (!inFiber("createSocket(address, port, local...)")) {
            return new Socket(address, port, localAddress, localPort);
        }
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

    /**
     * True in a fiber; false on a thread that runs no hub; {@link NotInFiberException} on a hub thread
     * outside any fiber, where a JDK socket would block the hub.
     */
    private static boolean inFiber(String what) {
        if (Fiber.inFiber()) {
            return true;
        }
        Hub hub;
        try {
            hub = Hub.current();
        } catch (NotInFiberException noHubHere) {
            return false; // a thread of its own: a JDK socket may block it
        }
        throw new NotInFiberException("FiberSocketFactory." + what + " was called on the hub thread '"
                + hub.thread().getName() + "' outside any fiber (a timer, a callback); a socket there would block"
                + " every fiber of the hub. Spawn a fiber to open the connection.");
    }
}
