package dev.weft.examples;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The echo server on every core: N threads, each running its own hub with its own {@link
 * StreamServer} on the same port ({@code reusePort(true)}, SO_REUSEPORT); the kernel spreads the
 * connections among them. A hub is one thread, so this is how Weft uses several cores: one hub per
 * core, sharing nothing (gunicorn's "N gevent workers", without the processes).
 *
 * <pre>./weft example multicore [THREADS] [PORT]      (default: one per core, port 7788)</pre>
 */
public final class MultiCoreEchoServer implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final List<AsyncResult<Void>> stops = new ArrayList<>();
    private final int port;

    private MultiCoreEchoServer(int hubs, int requestedPort) throws Exception {
        int p = requestedPort;
        for (int i = 0; i < hubs; i++) {
            CompletableFuture<Integer> bound = new CompletableFuture<>();
            CompletableFuture<AsyncResult<Void>> stop = new CompletableFuture<>();
            int bindTo = p;
            Thread t = new Thread(() -> runHub(bindTo, bound, stop), "echo-hub-" + i);
            t.start();
            threads.add(t);
            try {
                p = bound.get(30, TimeUnit.SECONDS); // port 0: the first hub's port is everyone's
                stops.add(stop.get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                close();
                throw new IllegalStateException("hub " + i + " could not start: " + e.getCause(), e.getCause());
            }
        }
        this.port = p;
    }

    /** Starts {@code hubs} threads, each a hub serving echo on {@code port} (0: a free one, shared). */
    static MultiCoreEchoServer start(int hubs, int port) throws Exception {
        if (hubs < 1) {
            throw new IllegalArgumentException("at least one hub, not " + hubs);
        }
        return new MultiCoreEchoServer(hubs, port);
    }

    private static void runHub(int port, CompletableFuture<Integer> bound, CompletableFuture<AsyncResult<Void>> stopper) {
        try {
            Hub.run(() -> {
                StreamServer server = StreamServer.builder(socket -> {
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (socket.read(buf.clear()) > 0) {
                        socket.writeAll(buf.flip());
                    }
                }).bind("127.0.0.1", port).reusePort(true).maxConnections(10_000).start();
                AsyncResult<Void> stop = new AsyncResult<>(); // completed by close(), from another thread
                stopper.complete(stop);
                bound.complete(server.port());
                stop.get();
                server.stop(Duration.ofSeconds(1));
            });
        } catch (Throwable e) {
            bound.completeExceptionally(e);
            stopper.completeExceptionally(e);
        }
    }

    /** The shared port. */
    int port() {
        return port;
    }

    /** Stops every hub (each stops its server with a 1 s grace) and waits for the threads. */
    @Override
    public void close() throws InterruptedException {
        for (AsyncResult<Void> s : stops) {
            s.set(null);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    public static void main(String[] args) throws Exception {
        int hubs = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        int port = args.length > 1 ? Integer.parseInt(args[1]) : EchoServer.PORT;
        MultiCoreEchoServer server = start(hubs, port);
        System.out.println("echo on 127.0.0.1:" + server.port() + ", " + hubs + " hubs (threads) sharing the port"
                + " through SO_REUSEPORT; Ctrl-C stops it");
        Thread.currentThread().join();
    }
}
