package dev.weft.jmh.burst;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpsServer;
import dev.weft.jmh.echo.EchoServerMain;
import dev.weft.jmh.echo.EchoServers;
import dev.weft.jmh.echo.TlsKeys;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The servers {@link BurstBench} compares, each in its own JVM ({@link #main}): the TLS echo servers
 * of {@code bench echo} ({@code weft-tls-<backend>}: Weft's {@code TlsServer}; {@code
 * netty-tls-<transport>}: Netty's {@code SslHandler}, one event loop; JDK provider on both), and two
 * HTTPS hello servers: {@code weft-https-<backend>} ({@link WeftHttpsServer} on one hub) and {@code
 * jdk-https} (the JDK's own {@code HttpsServer}, a pool of {@value #JDK_THREADS} platform threads, as
 * {@code bench http}'s {@code jdk-platform}). Each binds 127.0.0.1 on a free port with a backlog of
 * 4,096; the key is {@link TlsKeys}'.
 */
public final class BurstServers {
    static final int JDK_THREADS = 32;
    static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    /** The servers this class knows, by name. */
    static final List<String> KNOWN = List.of("weft-tls-epoll", "weft-tls-nio", "netty-tls-epoll", "netty-tls-nio",
            "weft-https-epoll", "weft-https-nio", "jdk-https");

    private static final HttpHandler HANDLER = ex -> {
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, HELLO.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(HELLO);
        }
    };

    private BurstServers() {
    }

    /** Whether {@code server} speaks HTTP (else it echoes). */
    static boolean http(String server) {
        return server.contains("https");
    }

    /** Runs the server named by {@code args[0]} until its standard input says {@code stop}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !KNOWN.contains(args[0])) {
            System.err.println("usage: BurstServers " + String.join("|", KNOWN));
            System.exit(2);
        }
        EchoServerMain.serve(start(args[0]));
    }

    static int start(String kind) throws Exception {
        if (kind.startsWith("weft-https-")) {
            return startWeft(kind.substring("weft-https-".length()), TlsKeys.serverContext(TlsKeys.fromProperty()));
        }
        if (kind.equals("jdk-https")) {
            return startJdk(TlsKeys.serverContext(TlsKeys.fromProperty()));
        }
        return EchoServers.start(kind);
    }

    private static int startWeft(String backend, SSLContext context) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name("weft-https-bench").start(() -> {
            try {
                Hub.run(backend, () -> {
                    WeftHttpsServer s = WeftHttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
                    s.setHttpsConfigurator(new HttpsConfigurator(context));
                    s.createContext("/", HANDLER);
                    s.start();
                    port.complete(s.getAddress().getPort());
                    new Event().await();
                    return null;
                });
            } catch (Throwable t) {
                port.completeExceptionally(t);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }

    private static int startJdk(SSLContext context) throws Exception {
        // The Weft provider is on this class path (its service file would win): name the JDK's own.
        System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        if (s instanceof WeftHttpsServer) {
            throw new IllegalStateException("got Weft's server instead of the JDK's");
        }
        s.setHttpsConfigurator(new HttpsConfigurator(context));
        s.createContext("/", HANDLER);
        s.setExecutor(Executors.newFixedThreadPool(JDK_THREADS));
        s.start();
        return s.getAddress().getPort();
    }
}
