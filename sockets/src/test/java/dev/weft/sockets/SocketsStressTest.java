package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.VoidTask;
import dev.weft.testkit.Descriptors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The sockets half of the randomized stress test: client fibers open connections to an echo
 * server on the same hub, send random-sized messages and check the echo byte for byte (CRC), under
 * random {@link Timeout}s, random kills (by a killer fiber), random half-closes and abrupt closes,
 * and {@link ThreadPool#offload} calls; now and then a client echoes a batch of messages at once,
 * one connection each, through {@code imapUnordered} on a shared {@link Pool} whose workers the
 * killer kills too (every item comes back once: its echo, checked, or its worker's cancellation). At
 * the end: every client's {@code finally} ran once, the server's handlers and the pool's workers all
 * ended, and no file descriptor leaked.
 *
 * <p>{@code -Dweft.stress.seconds=N} (default 3) and {@code -Dweft.stress.seed=S} as in the fibers
 * stress test; the seed is in every failure message.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class SocketsStressTest {
    private static final long SECONDS = Long.getLong("weft.stress.seconds", 3L);
    private static final int CLIENTS = 40;

    @Test
    void echoClientsSurviveRandomKillsTimeoutsAndCloses() throws Exception {
        long seed = Long.getLong("weft.stress.seed", System.nanoTime());
        String replay = "seed " + seed + " (replay with -Dweft.stress.seed=" + seed + ")";
        boolean procFd = Descriptors.supported();
        long[] stats = new long[9]; // ops, echoed bytes, timeouts, kills, io errors, offloads, imap batches, imap cancellations, imap worker kills
        int[] started = new int[1];
        int[] finallies = new int[1];
        List<Throwable> unexpected = new ArrayList<>();
        // warm up what opens descriptors once per JVM (the backend, the resolver pool), then count
        Hub.run(() -> ThreadPool.offload(() -> 1));
        long fdsBefore = procFd ? Descriptors.open() : 0;

        Hub.run(() -> {
            Hub hub = Hub.current();
            hub.setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
            Random rnd = new Random(seed);
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(8192);
                try {
                    while (socket.read(buf.clear()) > 0) {
                        socket.writeAll(buf.flip());
                    }
                } catch (IOException peerWentAway) {
                    // clients reset and kill mid-message on purpose
                }
            }).bind("127.0.0.1", 0).start();
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            Pool echoPool = new Pool(8);
            VoidTask client = () -> {
                started[0]++;
                Random r = new Random(rnd.nextLong());
                try {
                    while (System.nanoTime() < end) {
                        stats[0]++;
                        if (r.nextInt(6) == 0) {
                            try (Timeout t = r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null) {
                                echoBatch(echoPool, server.port(), r, stats);
                            } catch (FiberTimeoutException e) {
                                stats[2]++;
                            }
                            continue;
                        }
                        try (Timeout t = r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null;
                             TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                            int rounds = 1 + r.nextInt(8);
                            for (int i = 0; i < rounds; i++) {
                                byte[] msg = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? 200_000 : 2_000)];
                                r.nextBytes(msg);
                                CRC32 sent = new CRC32();
                                sent.update(msg);
                                s.writeAll(msg);
                                byte[] back = new byte[msg.length];
                                s.readFully(back);
                                CRC32 got = new CRC32();
                                got.update(back);
                                if (got.getValue() != sent.getValue()) {
                                    throw new AssertionError("echo differs after " + i + " messages");
                                }
                                stats[1] += msg.length;
                            }
                            switch (r.nextInt(4)) {
                                case 0 -> s.shutdownOutput();
                                case 1 -> s.setLinger(0); // close with a reset
                                default -> { }
                            }
                            if (r.nextInt(10) == 0) {
                                stats[5]++;
                                int v = ThreadPool.offload(() -> 7);
                                if (v != 7) {
                                    throw new AssertionError("offload returned " + v);
                                }
                            }
                        } catch (FiberTimeoutException e) {
                            stats[2]++;
                        } catch (IOException e) {
                            stats[4]++; // a connect that raced the timeout, a reset: expected, counted
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
                stats[3]++;
                clients.set(victim, Fiber.spawn("client-r" + stats[3], client));
                List<Fiber<?>> echoing = echoPool.fibers();
                if (!echoing.isEmpty() && rnd.nextInt(3) == 0) {
                    echoing.get(rnd.nextInt(echoing.size())).kill();
                    stats[8]++;
                }
            }
            assertTrue(Fiber.joinAll(clients, Duration.ofSeconds(30)), "clients did not end; " + replay);
            assertTrue(echoPool.join(Duration.ofSeconds(30)), "imap workers did not end; " + replay);
            int killed = server.stop(Duration.ofSeconds(5));
            assertEquals(0, server.connections(), replay);
            assertTrue(killed >= 0);
        });
        assertEquals(List.of(), unexpected, "unexpected failures; " + replay);
        assertEquals(started[0], finallies[0], "a client's finally did not run exactly once; " + replay);
        assertTrue(stats[0] > 100 && stats[1] > 0 && stats[3] > 10 && stats[6] > 5,
                "too little happened: " + stats[0] + " connections, " + stats[3] + " kills, " + stats[6]
                        + " imap batches; " + replay);
        if (procFd) {
            long fdsAfter = Descriptors.open();
            assertTrue(fdsAfter <= fdsBefore + 2, "descriptors leaked: " + fdsBefore + " before, " + fdsAfter
                    + " after; " + replay);
        }
        if (System.getProperty("weft.stress.seconds") != null) { // ./weft stress: say what it did
            String backend = Hub.run(() -> Hub.current().backendName());
            System.out.println("stress sockets [" + backend + "]: " + SECONDS + " s, " + stats[0] + " connections ("
                    + stats[0] / SECONDS + "/s), " + stats[1] / 1_000_000 + " MB echoed, " + stats[2] + " timeouts, "
                    + stats[3] + " kills, " + stats[4] + " I/O errors, " + stats[5] + " offloads, " + stats[6]
                    + " imap batches (" + stats[7] + " items of killed workers, " + stats[8] + " worker kills); " + replay);
        }
    }

    /**
     * Echoes 1-6 messages at once, each over a connection of its own, through imapUnordered on
     * {@code pool}; checks that every item comes back once (its echo, CRC-checked in the worker, or
     * its killed worker's cancellation). The caller's Timeout or kill may end it anywhere.
     */
    private static void echoBatch(Pool pool, int port, Random r, long[] stats) throws IOException {
        int n = 1 + r.nextInt(6);
        long seed = r.nextLong();
        List<Integer> items = java.util.stream.IntStream.range(0, n).boxed().toList();
        stats[6]++;
        java.util.BitSet seen = new java.util.BitSet();
        try (dev.weft.fibers.IMap<Integer> it = pool.imapUnordered(i -> {
            Random mine = new Random(seed + i);
            byte[] msg = new byte[1 + mine.nextInt(4_000)];
            mine.nextBytes(msg);
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                s.writeAll(msg);
                byte[] back = new byte[msg.length];
                s.readFully(back);
                if (!java.util.Arrays.equals(msg, back)) {
                    throw new AssertionError("an imap echo differs");
                }
            }
            return i;
        }, items, 3)) {
            while (it.hasNext()) {
                int index;
                try {
                    index = it.next();
                } catch (java.util.concurrent.CancellationException killed) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("item (\\d+) of ").matcher(killed.getMessage());
                    if (!m.find()) {
                        throw new AssertionError("a cancellation naming no item: " + killed);
                    }
                    index = Integer.parseInt(m.group(1));
                    stats[7]++;
                }
                if (seen.get(index)) {
                    throw new AssertionError("imap item " + index + " came twice");
                }
                seen.set(index);
            }
            if (seen.cardinality() != n) {
                throw new AssertionError("imap ended with " + seen.cardinality() + " of " + n + " items");
            }
        } catch (java.util.concurrent.CompletionException e) {
            if (!(e.getCause() instanceof IOException)) {
                throw e;
            }
            stats[4]++; // a worker's connection failed (a reset): the iteration is over, as a failure ends it
        }
    }
}
