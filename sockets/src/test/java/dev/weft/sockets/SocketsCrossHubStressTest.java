package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.VoidTask;
import dev.weft.testkit.Descriptors;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
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
 * ({@link StreamServer.Builder#startOn}), once in each {@link AcceptMode}, client fibers on a third hub under random
 * {@link Timeout}s, kills and abrupt closes, and two platform threads with blocking JDK sockets.
 * Invariants as in {@link SocketsStressTest}: every echo is byte for byte, every client's
 * {@code finally} runs once, no failure reaches a hub's uncaught handler, the server's handlers on
 * both hubs all end at its stop, and no descriptor leaks. {@code -Dweft.stress.seconds} and
 * {@code -Dweft.stress.seed} as there.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
@EnabledOnOs(OS.LINUX) // SO_REUSEPORT balances there
class SocketsCrossHubStressTest {
    private static final long SECONDS = Long.getLong("weft.stress.seconds", 3L);
    private static final int CLIENTS = 30;

    /** In both accept modes: the kernel spreads connections (REUSE_PORT), or hub 0's acceptor hands them over (HANDOFF). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(AcceptMode.class)
    void echoAcrossTwoServerHubsAClientHubAndThreadsSurvivesKillsTimeoutsAndResets(AcceptMode mode) throws Exception {
        long seed = Long.getLong("weft.stress.seed", System.nanoTime());
        String replay = "seed " + seed + " (replay with -Dweft.stress.seed=" + seed + ")";
        boolean procFd = Descriptors.supported();
        Hub.run(() -> ThreadPool.offload(() -> 1)); // what opens descriptors once per JVM, before the count
        long fdsBefore = procFd ? Descriptors.open() : 0;
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong echoed = new AtomicLong();
        AtomicLong threadEchoes = new AtomicLong();
        long[] stats = new long[3]; // connections, timeouts, kills (client hub only)
        int[] started = new int[1];
        int[] finallies = new int[1];
        int killed;
        long[] acceptedPerHub = new long[2];
        try (HubGroup group = HubGroup.start(2); dev.weft.testkit.LogCapture log = dev.weft.testkit.LogCapture.of(StreamServer.class)) {
            for (int i = 0; i < 2; i++) {
                group.spawnOn(i, () -> {
                    Hub.current().setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
                    return null;
                }).get(10, TimeUnit.SECONDS);
            }
            StreamServerGroup server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(8192);
                try {
                    while (socket.read(buf.clear()) > 0) {
                        socket.writeAll(buf.flip());
                    }
                } catch (IOException peerWentAway) {
                    // clients reset and are killed mid-message on purpose
                }
            }).bind("127.0.0.1", 0).acceptMode(mode).startOn(group);
            int port = server.port();
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            AtomicBoolean threadsStop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long threadSeed = seed + 100 + t;
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
            Hub.run(() -> {
                Hub.current().setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
                Random rnd = new Random(seed);
                VoidTask client = () -> {
                    started[0]++;
                    Random r = new Random(rnd.nextLong());
                    try {
                        while (System.nanoTime() < end) {
                            stats[0]++;
                            try (Timeout t = r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null;
                                 TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                                for (int i = 0, rounds = 1 + r.nextInt(6); i < rounds; i++) {
                                    byte[] msg = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? 100_000 : 2_000)];
                                    r.nextBytes(msg);
                                    s.writeAll(msg);
                                    byte[] back = new byte[msg.length];
                                    s.readFully(back);
                                    if (!Arrays.equals(msg, back)) {
                                        throw new AssertionError("echo differs after " + i + " messages");
                                    }
                                    echoed.addAndGet(msg.length);
                                }
                                if (r.nextInt(3) == 0) {
                                    s.setLinger(0); // close with a reset
                                }
                            } catch (FiberTimeoutException e) {
                                stats[1]++;
                            } catch (IOException e) {
                                // a connect that raced the timeout: expected
                            }
                        }
                    } finally {
                        finallies[0]++;
                    }
                };
                List<Fiber<Void>> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(Fiber.spawn("client-" + i, client));
                }
                while (System.nanoTime() < end) {
                    Fiber.sleep(2);
                    int victim = rnd.nextInt(clients.size());
                    clients.get(victim).kill();
                    stats[2]++;
                    clients.set(victim, Fiber.spawn("client-r" + stats[2], client));
                }
                assertTrue(Fiber.joinAll(clients, Duration.ofSeconds(30)), "clients did not end; " + replay);
            });
            threadsStop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            List<Long> accepted = server.acceptedPerHub();
            acceptedPerHub[0] = accepted.get(0);
            acceptedPerHub[1] = accepted.get(1);
            killed = server.stop(Duration.ofSeconds(5));
            assertEquals(0, server.connections(), replay);
            assertEquals(0, server.closedInHandOff(), "no hub was stopping while connections came; " + replay);
        }
        assertEquals(List.of(), List.copyOf(unexpected), "unexpected failures; " + replay);
        assertEquals(started[0], finallies[0], "a client's finally did not run exactly once; " + replay);
        assertEquals(0, killed, "every handler had ended with its client; " + replay);
        assertTrue(stats[0] > 100 && stats[2] > 10 && threadEchoes.get() > 10 && acceptedPerHub[0] > 10
                && acceptedPerHub[1] > 10, "too little happened: " + stats[0] + " connections, " + stats[2] + " kills, "
                        + threadEchoes + " thread echoes, accepted per hub " + Arrays.toString(acceptedPerHub) + "; " + replay);
        if (procFd) {
            long fdsAfter = Descriptors.open();
            assertTrue(fdsAfter <= fdsBefore + 2, "descriptors leaked: " + fdsBefore + " before, " + fdsAfter + " after; " + replay);
        }
        if (System.getProperty("weft.stress.seconds") != null) {
            System.out.println("stress sockets across hubs, " + mode + ": " + SECONDS + " s, " + stats[0] + " fiber connections, "
                    + threadEchoes + " thread echoes, " + echoed.get() / 1_000_000 + " MB echoed, " + stats[1] + " timeouts, "
                    + stats[2] + " kills, accepted per hub " + Arrays.toString(acceptedPerHub) + "; " + replay);
        }
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
