package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.weft.sockets.EchoStressClients.BYTES;
import static dev.weft.sockets.EchoStressClients.CONNECTIONS;
import static dev.weft.sockets.EchoStressClients.IMAP_BATCHES;
import static dev.weft.sockets.EchoStressClients.KILLS;
import static dev.weft.sockets.EchoStressClients.TIMEOUTS;

import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.fibers.Timeout;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.StressRun;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The sockets stress test across hubs (issue 24): an echo server on both hubs of a group
 * ({@link StreamServer.Builder#startOn}), once in each {@link AcceptMode}, client fibers on a third hub
 * ({@link EchoStressClients}: random {@link Timeout}s, kills, half-closes, resets, offloads and imap
 * batches), and two platform threads with blocking JDK sockets.
 * Invariants as in {@link SocketsStressTest}: every echo is byte for byte, every client's
 * {@code finally} runs once, no failure reaches a hub's uncaught handler, the server's handlers on
 * both hubs all end at its stop, and no descriptor leaks. {@code -Dweft.stress.seconds} and
 * {@code -Dweft.stress.seed} as there.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
@EnabledOnOs(OS.LINUX) // SO_REUSEPORT balances there
class SocketsCrossHubStressTest {
    private static final int CLIENTS = 30;

    /** In both accept modes: the kernel spreads connections (REUSE_PORT), or hub 0's acceptor hands them over (HANDOFF). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(AcceptMode.class)
    void echoAcrossTwoServerHubsAClientHubAndThreadsSurvivesKillsTimeoutsAndResets(AcceptMode mode) throws Exception {
        StressRun stress = StressRun.pick();
        boolean procFd = Descriptors.supported();
        Hub.run(() -> ThreadPool.offload(() -> 1)); // what opens descriptors once per JVM, before the count
        long fdsBefore = procFd ? Descriptors.open() : 0;
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong threadEchoes = new AtomicLong();
        long[] stats; // the client hub's EchoStressClients counters
        int killed;
        long[] acceptedPerHub = new long[2];
        try (HubGroup group = HubGroup.start(2); dev.weft.testkit.LogCapture log = dev.weft.testkit.LogCapture.of(StreamServer.class)) {
            for (int i = 0; i < 2; i++) {
                group.spawnOn(i, () -> {
                    Hub.current().setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
                    return null;
                }).get(10, TimeUnit.SECONDS);
            }
            StreamServerGroup server = StreamServer.builder(EchoStressClients::echoUntilGone).bind("127.0.0.1", 0)
                    .acceptMode(mode).startOn(group);
            int port = server.port();
            AtomicBoolean threadsStop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long threadSeed = stress.seed() + 100 + t;
                threads.add(Thread.ofPlatform().name("stress-jdk-client-" + t).start(() -> {
                    Random r = new Random(threadSeed);
                    while (!threadsStop.get()) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            s.setSoTimeout(10_000);
                            byte[] msg = new byte[1 + r.nextInt(20_000)];
                            r.nextBytes(msg);
                            s.getOutputStream().write(msg);
                            byte[] back = new InputStreamReader(s.getInputStream()).readExactly(msg.length);
                            if (!Arrays.equals(msg, back)) {
                                unexpected.add(new AssertionError("a thread's echo differs"));
                            }
                            threadEchoes.incrementAndGet();
                        } catch (IOException e) {
                            unexpected.add(e);
                        }
                    }
                }));
            }
            stats = Hub.run(() -> {
                Hub.current().setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
                Random rnd = new Random(stress.seed());
                EchoStressClients clients = new EchoStressClients(port, stress.length(), 100_000, stress.replay());
                clients.run(CLIENTS, rnd, () -> new Random(rnd.nextLong()));
                clients.checkEachFinallyRanOnce();
                return clients.stats();
            });
            threadsStop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            List<Long> accepted = server.acceptedPerHub();
            acceptedPerHub[0] = accepted.get(0);
            acceptedPerHub[1] = accepted.get(1);
            killed = server.stop(Duration.ofSeconds(5));
            assertEquals(0, server.connections(), stress.replay());
            assertEquals(0, server.closedInHandOff(), "no hub was stopping while connections came; " + stress.replay());
        }
        assertEquals(List.of(), List.copyOf(unexpected), "unexpected failures; " + stress.replay());
        assertEquals(0, killed, "every handler had ended with its client; " + stress.replay());
        assertTrue(stats[CONNECTIONS] > 100 && stats[KILLS] > 10 && threadEchoes.get() > 10 && acceptedPerHub[0] > 10
                && acceptedPerHub[1] > 10, "too little happened: " + stats[CONNECTIONS] + " connections, " + stats[KILLS] + " kills, "
                        + threadEchoes + " thread echoes, accepted per hub " + Arrays.toString(acceptedPerHub) + "; " + stress.replay());
        if (procFd) {
            long fdsAfter = Descriptors.open();
            assertTrue(fdsAfter <= fdsBefore + 2, "descriptors leaked: " + fdsBefore + " before, " + fdsAfter + " after; " + stress.replay());
        }
        stress.report(() -> "stress sockets across hubs, " + mode + ": " + stress.seconds() + " s, " + stats[CONNECTIONS] + " fiber connections, "
                + threadEchoes + " thread echoes, " + stats[BYTES] / 1_000_000 + " MB echoed by fibers, " + stats[TIMEOUTS]
                + " timeouts, " + stats[KILLS] + " kills, " + stats[IMAP_BATCHES] + " imap batches, accepted per hub " + Arrays.toString(acceptedPerHub) + "; " + stress.replay());
    }

    /** readNBytes that fails on a short read. */
    private record InputStreamReader(InputStream in) {
        byte[] readExactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new IOException("the echo ended after " + b.length + " of " + n + " bytes");
            }
            return b;
        }
    }
}
