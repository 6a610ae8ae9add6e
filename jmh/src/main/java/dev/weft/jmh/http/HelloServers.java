package dev.weft.jmh.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * The hello-world HTTP servers {@link HttpBench} compares, each started by name in its own JVM by
 * {@link HttpServerMain}: {@code weft-<backend>} (a {@link WeftHttpServer} on one hub), {@code
 * jdk-platform} (the JDK's built-in server, a fixed pool of {@value #PLATFORM_THREADS} platform
 * threads), {@code jdk-virtual} (the JDK's server, a virtual thread per exchange), {@code netty}
 * (Netty 4.2's HTTP/1.1 codec, one event loop, epoll when available). Every one answers any request
 * with {@code 200}, {@code Content-Type: text/plain} and "Hello, World!" (13 bytes), keeps
 * connections alive, and binds 127.0.0.1 on a free port.
 */
final class HelloServers {
    static final int PLATFORM_THREADS = 32;
    static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** The handler the JDK and Weft servers share: the same code runs on both. */
    static final HttpHandler HANDLER = ex -> {
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, HELLO.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(HELLO);
        }
    };

    private HelloServers() {
    }

    /** The servers {@link #start} knows, by name. */
    static final List<String> KNOWN = List.of("weft-nio", "weft-epoll", "weft-io_uring", "weft-kqueue", "jdk-platform", "jdk-virtual", "netty",
            "netty-io_uring");

    /** Starts the server called {@code kind}; returns its port. It runs until the JVM exits. */
    static int start(String kind) throws Exception {
        if (kind.startsWith(WEFT_HUBS)) {
            return startWeftGroup(dev.weft.jmh.echo.EchoServers.count(kind, WEFT_HUBS));
        }
        if (kind.startsWith(NETTY_LOOPS)) {
            return NettyHelloServer.start(dev.weft.jmh.echo.EchoServers.count(kind, NETTY_LOOPS));
        }
        if (kind.startsWith("weft-")) {
            return startWeft(kind.substring("weft-".length()));
        }
        return switch (kind) {
            case "jdk-platform" -> startJdk(false);
            case "jdk-virtual" -> startJdk(true);
            case "netty" -> NettyHelloServer.start();
            case "netty-io_uring" -> NettyHelloServer.startIoUring();
            default -> throw new IllegalArgumentException("unknown HTTP server '" + kind + "'; known: " + String.join(", ", KNOWN));
        };
    }

    /** {@code weft-hubs-N}: Weft's server on a group of N hubs (the default backend), N >= 1 ({@code bench multicore}). */
    static final String WEFT_HUBS = "weft-hubs-";
    /** {@code netty-loops-N}: Netty's server with N event loops (epoll when available) ({@code bench multicore}). */
    static final String NETTY_LOOPS = "netty-loops-";

    /**
     * Weft's server bound from this plain thread, as a user would: on a group of {@code hubs} hubs
     * ({@code WeftHttpServer.create(address, backlog, limits, hubs)}; 1 keeps one hub thread).
     */
    private static int startWeftGroup(int hubs) throws IOException {
        WeftHttpServer s = WeftHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096,
                dev.weft.http.HttpLimits.defaults(), hubs);
        s.createContext("/", HANDLER);
        s.start();
        return s.getAddress().getPort();
    }

    private static int startWeft(String backend) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name("weft-http-bench").start(() -> {
            try {
                Hub.run(backend, () -> {
                    WeftHttpServer s = WeftHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
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
        return port.get();
    }

    private static int startJdk(boolean virtual) throws IOException {
        // The Weft provider is on this class path (its service file would win): name the JDK's own.
        System.setProperty("com.sun.net.httpserver.HttpServerProvider", "sun.net.httpserver.DefaultHttpServerProvider");
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        if (s instanceof WeftHttpServer) {
            throw new IllegalStateException("got Weft's server instead of the JDK's");
        }
        s.createContext("/", HANDLER);
        s.setExecutor(virtual ? Executors.newVirtualThreadPerTaskExecutor() : Executors.newFixedThreadPool(PLATFORM_THREADS));
        s.start();
        return s.getAddress().getPort();
    }
}
