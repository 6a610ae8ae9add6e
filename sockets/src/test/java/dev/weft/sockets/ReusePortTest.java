package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Hub;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** SO_REUSEPORT: two hubs on two threads serve one port (issue 13 item 4). */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs({OS.LINUX, OS.MAC, OS.FREEBSD, OS.OPENBSD})
class ReusePortTest {

    /** Runs a hub on its own thread with a server on {@code port} (0: a free one) that answers its id. */
    private static Thread serve(int id, int port, CompletableFuture<Integer> bound,
            CompletableFuture<AsyncResult<Void>> stopper, int[] served) {
        Thread t = new Thread(() -> {
            try {
                Hub.run(() -> {
                    StreamServer server = StreamServer.builder(socket -> {
                        served[0]++;
                        socket.writeAll(new byte[] {(byte) id});
                    }).bind("127.0.0.1", port).reusePort(true).start();
                    AsyncResult<Void> stop = new AsyncResult<>();
                    stopper.complete(stop);
                    bound.complete(server.port());
                    stop.get();
                    server.stop(Duration.ofSeconds(5));
                });
            } catch (Throwable e) {
                bound.completeExceptionally(e);
                stopper.completeExceptionally(e);
            }
        }, "reuseport-hub-" + id);
        t.start();
        return t;
    }

    @Test
    void twoHubsOnTwoThreadsServeOnePort() throws Exception {
        int[][] served = {{0}, {0}};
        CompletableFuture<Integer> firstPort = new CompletableFuture<>();
        CompletableFuture<AsyncResult<Void>> firstStop = new CompletableFuture<>();
        Thread first = serve(1, 0, firstPort, firstStop, served[0]);
        int port = firstPort.get(10, TimeUnit.SECONDS);
        CompletableFuture<Integer> secondPort = new CompletableFuture<>();
        CompletableFuture<AsyncResult<Void>> secondStop = new CompletableFuture<>();
        Thread second = serve(2, port, secondPort, secondStop, served[1]);
        assertEquals(port, secondPort.get(10, TimeUnit.SECONDS), "both listen on one port");
        int[] answers = new int[3];
        for (int i = 0; i < 40; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                InputStream in = s.getInputStream();
                answers[in.read()]++;
            }
        }
        firstStop.get(10, TimeUnit.SECONDS).set(null);
        secondStop.get(10, TimeUnit.SECONDS).set(null);
        first.join(10_000);
        second.join(10_000);
        assertEquals(40, answers[1] + answers[2]);
        // the kernel spreads connections by a hash of their addresses: all 40 on one is a 1 in 2^39 chance
        assertTrue(answers[1] > 0 && answers[2] > 0, "hub 1 served " + answers[1] + ", hub 2 " + answers[2]);
        assertEquals(answers[1], served[0][0]);
        assertEquals(answers[2], served[1][0]);
    }
}
