package dev.weft.jmh.connections;

import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server child JVM of {@link ConnectionsBench}: one hub on its own thread, one {@link
 * StreamServer} whose handler is the plain echo loop a user writes (one fiber per connection,
 * blocking-style read and write into a small per-connection {@code byte[]}).
 *
 * <p>Line protocol on standard input and output. It prints {@code READY <port> <fd-limit>} once
 * it listens. Commands, one per line: {@code count} answers {@code COUNT <connections> <fds>} (the
 * server's handler fibers now, asked on the hub; the entries of {@code /proc/self/fd}); {@code
 * heap} answers {@code HEAP <bytes>} (used heap after full GCs, the minimum of several); {@code
 * stop}, or the end of standard input, ends the JVM (so it dies with its parent).
 *
 * <pre>ConnectionsServer BACKEND|default BUFFER_BYTES BACKLOG</pre>
 */
public final class ConnectionsServer {
    private ConnectionsServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ConnectionsServer BACKEND|default BUFFER_BYTES BACKLOG");
            System.exit(2);
        }
        String backend = args[0].equals("default") ? null : args[0];
        int bufferBytes = Integer.parseInt(args[1]);
        int backlog = Integer.parseInt(args[2]);
        CompletableFuture<Hub> hubReady = new CompletableFuture<>();
        CompletableFuture<StreamServer> started = new CompletableFuture<>();
        Thread hubThread = Thread.ofPlatform().name("connections-hub").daemon(true).start(() -> {
            try {
                Hub.run(backend, () -> {
                    hubReady.complete(Hub.current());
                    StreamServer server = StreamServer.builder(socket -> {
                        byte[] buffer = new byte[bufferBytes];
                        try {
                            for (int n; (n = socket.read(buffer)) > 0; ) {
                                socket.writeAll(ByteBuffer.wrap(buffer, 0, n));
                            }
                        } catch (SocketException resetByTheClient) {
                            // the clients close with SO_LINGER 0 (a reset, no TIME_WAIT left behind)
                        }
                    }).bind("127.0.0.1", 0).backlog(backlog).start();
                    started.complete(server);
                    server.serveForever();
                    return null;
                });
            } catch (Throwable t) {
                hubReady.completeExceptionally(t);
                started.completeExceptionally(t);
            }
        });
        Hub hub = hubReady.get(30, TimeUnit.SECONDS);
        StreamServer server = started.get(30, TimeUnit.SECONDS);
        System.out.println("READY " + server.port() + " " + Descriptors.softLimit() + " " + hub.backendName());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
            switch (line) {
                case "count" -> {
                    int connections = hub.submit(server::connections).get(30, TimeUnit.SECONDS);
                    System.out.println("COUNT " + connections + " " + Descriptors.open());
                }
                case "heap" -> System.out.println("HEAP " + usedHeapAfterGc());
                default -> System.out.println("ERROR unknown command '" + line + "'");
            }
            System.out.flush();
        }
        // The hub thread is a daemon: nothing to wait for; exit at once, as the parent expects.
        System.exit(hubThread.isAlive() ? 0 : 1);
    }

    /** As jmh's ParkedMemory: several full GCs, the minimum of the used heap after each. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
