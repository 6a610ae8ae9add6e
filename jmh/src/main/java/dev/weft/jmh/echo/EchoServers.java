package dev.weft.jmh.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * The echo servers the echo benchmark compares, each started by name in its own JVM by
 * {@link EchoServerMain}: {@code weft-<backend>} (one hub thread), {@code netty-epoll}, {@code
 * netty-nio} and {@code netty-io_uring} (Netty 4.2, one event-loop thread), {@code vthreads} (a virtual thread per connection);
 * with TLS (JDK provider on both): {@code weft-tls-<backend>} (Weft's TlsServer) and {@code
 * netty-tls-epoll}/{@code netty-tls-nio} (Netty's SslHandler); WebSocket: {@code weft-ws-<backend>} (Weft's
 * {@code websocket} module reading the upgrade request itself), {@code weft-ws-http-<backend>} (the same through
 * {@code WeftHttpServer}'s upgrade hook) and {@code netty-ws-epoll}/{@code netty-ws-nio} (Netty's WebSocket handler).
 * Every server echoes whatever it reads and binds 127.0.0.1 on a free port.
 */
public final class EchoServers {
    private EchoServers() {
    }

    /** The servers {@link #start} knows, by name. */
    public static final List<String> KNOWN = List.of("weft-nio", "weft-epoll", "weft-io_uring", "weft-kqueue", "netty-epoll", "netty-nio", "netty-io_uring",
            "vthreads",
            "weft-tls-nio", "weft-tls-epoll", "weft-tls-kqueue", "netty-tls-epoll", "netty-tls-nio",
            "weft-ws-nio", "weft-ws-epoll", "weft-ws-kqueue", "netty-ws-epoll", "netty-ws-nio",
            "weft-ws-http-nio", "weft-ws-http-epoll", "weft-ws-http-io_uring");

    /** Starts the server called {@code kind}; returns its port. The server runs until the JVM exits. */
    public static int start(String kind) throws Exception {
        if (kind.startsWith(WEFT_HUBS)) {
            return WeftEchoServer.startOn(count(kind, WEFT_HUBS));
        }
        if (kind.startsWith(NETTY_LOOPS)) {
            return NettyEchoServer.start(io.netty.channel.epoll.Epoll.isAvailable(), count(kind, NETTY_LOOPS));
        }
        if (kind.startsWith("weft-ws-http-")) {
            return WeftHttpWebSocketEchoServer.start(kind.substring("weft-ws-http-".length()));
        }
        if (kind.startsWith("weft-ws-")) {
            return WeftWebSocketEchoServer.start(kind.substring("weft-ws-".length()));
        }
        if (kind.startsWith("weft-tls-")) {
            return WeftEchoServer.startTls(kind.substring("weft-tls-".length()), TlsKeys.fromProperty());
        }
        if (kind.startsWith("weft-")) {
            return WeftEchoServer.start(kind.substring("weft-".length()));
        }
        return switch (kind) {
            case "netty-epoll" -> NettyEchoServer.start(true);
            case "netty-nio" -> NettyEchoServer.start(false);
            case "netty-io_uring" -> NettyEchoServer.startIoUring();
            case "netty-tls-epoll" -> NettyEchoServer.start(true, TlsKeys.nettyServer(TlsKeys.fromProperty()));
            case "netty-tls-nio" -> NettyEchoServer.start(false, TlsKeys.nettyServer(TlsKeys.fromProperty()));
            case "netty-ws-epoll" -> NettyWebSocketEchoServer.start(true);
            case "netty-ws-nio" -> NettyWebSocketEchoServer.start(false);
            case "vthreads" -> startVirtualThreadPerConnection();
            default -> throw new IllegalArgumentException("unknown echo server '" + kind + "'; known: " + String.join(", ", KNOWN));
        };
    }

    /** {@code weft-hubs-N}: Weft's echo server on a group of N hubs (default backend) ({@code bench multicore}). */
    public static final String WEFT_HUBS = "weft-hubs-";
    /** {@code netty-loops-N}: Netty's echo server with N event loops (epoll when available) ({@code bench multicore}). */
    public static final String NETTY_LOOPS = "netty-loops-";

    /** The N of a server name {@code <prefix>N} ({@code weft-hubs-2}); the HTTP servers' names use it too. */
    public static int count(String kind, String prefix) {
        try {
            int n = Integer.parseInt(kind.substring(prefix.length()));
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("'" + kind + "': expected " + prefix + "N with N >= 1");
    }

    private static int startVirtualThreadPerConnection() throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        Thread.ofVirtual().name("accept").start(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread.ofVirtual().start(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server.getLocalPort();
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the load generator closed the connection
        }
    }
}
