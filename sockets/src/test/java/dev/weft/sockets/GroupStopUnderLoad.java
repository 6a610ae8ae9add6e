package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.HubGroup;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The group's stop under load, for {@link StreamServerGroupTest} and {@link StreamServerHandOffTest}:
 * an echo server on both hubs of a group, four platform threads that open connection after connection
 * and echo one byte at a time on each; once enough answers came, {@link HubGroup#stop} with a 100-ms
 * grace (connections mid-conversation are killed after it). Then every hub's thread has ended, the port
 * refuses connections, the server logged its start once and nothing else, and (where /proc tells)
 * no descriptor is left open beyond the two a JVM may open meanwhile.
 */
final class GroupStopUnderLoad {
    private GroupStopUnderLoad() {
    }

    /**
     * @param mode                 how connections reach the hubs (null: the builder's default)
     * @param roundTripsPerConnection one-byte echoes per connection before the client opens the next
     * @param answersBeforeStop    echoes seen (on all connections) before the group is stopped
     */
    static void check(AcceptMode mode, int roundTripsPerConnection, int answersBeforeStop) throws Exception {
        HubGroup warm = HubGroup.start(2);
        warm.close(); // what opens descriptors once per JVM, before the count
        long before = Descriptors.supported() ? Descriptors.open() : 0;
        HubGroup group = HubGroup.start(2);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch enough = new CountDownLatch(answersBeforeStop);
        List<Thread> load = new ArrayList<>();
        int port;
        try (LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServer.Builder b = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                while (socket.read(buf.clear()) > 0) {
                    socket.writeAll(buf.flip());
                }
            }).bind("127.0.0.1", 0);
            port = (mode == null ? b : b.acceptMode(mode)).startOn(group).port();
            for (int t = 0; t < 4; t++) {
                load.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            s.setSoTimeout(10_000);
                            for (int i = 0; i < roundTripsPerConnection && !stop.get(); i++) {
                                s.getOutputStream().write('x');
                                if (s.getInputStream().read() != 'x') {
                                    break; // the group stopped under us
                                }
                                enough.countDown();
                            }
                        } catch (IOException refusedOrReset) {
                            // the group stopped under us: expected from now on
                        }
                    }
                }));
            }
            assertTrue(enough.await(30, TimeUnit.SECONDS), answersBeforeStop + " echoes answered before the stop");
            group.stop(Duration.ofMillis(100)); // connections mid-conversation: killed after the grace
            assertEquals(1, log.count());
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join(20_000);
            }
        }
        for (var hub : group.hubs()) {
            assertFalse(hub.thread().isAlive());
        }
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        if (Descriptors.supported()) {
            long after = Descriptors.open();
            assertTrue(after <= before + 2, "descriptors: " + before + " before, " + after + " after");
        }
    }
}
