package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Hub;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server hub on one backend and a client hub on another, in two threads of one JVM: every
 * ordered pair of the backends this machine can run (epoll server with nio client, and so on).
 */
@org.junit.jupiter.api.Timeout(60)
class MixedBackendsTest {

    static List<String[]> pairs() {
        List<String> names = Backends.available().stream().filter(b -> b.priority() >= 0) // real backends, not sim
                .map(HubBackend::name).toList();
        return names.stream().flatMap(s -> names.stream().filter(c -> !c.equals(s)).map(c -> new String[] {s, c}))
                .toList();
    }

    @ParameterizedTest(name = "{0} server, {1} client")
    @MethodSource("pairs")
    void aServerOnOneBackendEchoesToAClientOnAnother(String serverBackend, String clientBackend) throws Exception {
        Assumptions.assumeTrue(pairs().size() > 0, "only one backend can run here");
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Thread serverThread = Thread.ofPlatform().name("server-hub").start(() -> {
            try {
                Hub.run(serverBackend, () -> {
                    StreamServer server = StreamServer.builder(socket -> {
                        ByteBuffer buf = ByteBuffer.allocate(1024);
                        while (socket.read(buf.clear()) > 0) {
                            socket.writeAll(buf.flip());
                        }
                    }).start();
                    port.complete(server.port());
                    dev.weft.fibers.AsyncResult<Void> stopped = new dev.weft.fibers.AsyncResult<>();
                    stop.thenRun(() -> stopped.set(null));
                    stopped.get();
                    server.stop(Duration.ofSeconds(1));
                    return null;
                });
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        try {
            int p = port.get(10, TimeUnit.SECONDS);
            String echoed = Hub.run(clientBackend, () -> {
                try (TcpSocket s = TcpSocket.connect("127.0.0.1", p, Duration.ofSeconds(5))) {
                    s.writeAll("across backends".getBytes(StandardCharsets.US_ASCII));
                    ByteBuffer in = ByteBuffer.allocate(15);
                    s.readFully(in);
                    return Hub.current().backendName() + ": " + new String(in.array(), StandardCharsets.US_ASCII);
                }
            });
            assertEquals(clientBackend + ": across backends", echoed);
        } finally {
            stop.complete(null);
            serverThread.join(10_000);
        }
    }
}
