package dev.weft.sockets.sim;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.IMap;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.VoidTask;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.sockets.ThreadPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * {@code SocketsStressTest}'s scenario in virtual time, every choice drawn from the seed: client fibers
 * echo random messages through a server on the same hub under random Timeouts, kills (a killer fiber
 * every 2 ms), half-closes, resets ({@code SO_LINGER 0}), offloads and imap batches on a shared pool
 * whose workers are killed too; and the simulation resets every connection now and then. Invariants:
 * every echo is byte for byte, every client's finally runs once, every imap item comes back once (its
 * echo or its worker's cancellation), the server ends with no connection, no fiber fails unobserved.
 * Fiber code (the main fiber of a simulated hub).
 */
final class EchoStressScenario {
    /** Connections, bytes echoed, timeouts, kills, I/O errors, offloads, imap batches. */
    final long[] stats = new long[7];
    private final SplittableRandom rnd;
    private final int clients;
    private final long lengthNanos;
    private int started;
    private int finallies;

    EchoStressScenario(long seed, int clients, Duration length) {
        this.rnd = new SplittableRandom(seed);
        this.clients = clients;
        this.lengthNanos = length.toNanos();
    }

    long[] run(dev.weft.hub.sim.Simulation sim) throws Exception {
        Hub hub = Hub.current();
        List<Throwable> unexpected = new ArrayList<>();
        hub.setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
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
        long end = hub.nanoTime() + lengthNanos;
        for (long t = 1 + rnd.nextInt(300); t * 1_000_000L < lengthNanos; t += 100 + rnd.nextInt(400)) {
            sim.at(Duration.ofMillis(t), sim::resetAll);
        }
        Pool echoPool = new Pool(8);
        List<Fiber<Void>> fibers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            fibers.add(Fiber.spawn("client-" + i, client(server.port(), echoPool, end, rnd.split())));
        }
        int kills = 0;
        while (hub.nanoTime() < end) {
            Fiber.sleep(2);
            int victim = rnd.nextInt(fibers.size());
            fibers.get(victim).kill();
            stats[3]++;
            fibers.set(victim, Fiber.spawn("client-r" + ++kills, client(server.port(), echoPool, end, rnd.split())));
            List<Fiber<?>> echoing = echoPool.fibers();
            if (!echoing.isEmpty() && rnd.nextInt(3) == 0) {
                echoing.get(rnd.nextInt(echoing.size())).kill();
            }
        }
        check(Fiber.joinAll(fibers, Duration.ofSeconds(30)), "clients did not end");
        check(echoPool.join(Duration.ofSeconds(30)), "imap workers did not end");
        server.stop(Duration.ofSeconds(5));
        check(server.connections() == 0, "the server kept " + server.connections() + " connections");
        check(unexpected.isEmpty(), "unexpected failures: " + unexpected);
        check(started == finallies, started + " clients started, " + finallies + " finally blocks ran");
        check(stats[0] > 10 && stats[1] > 0, "too little happened: " + Arrays.toString(stats));
        return stats;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private VoidTask client(int port, Pool echoPool, long end, SplittableRandom r) {
        return () -> {
            started++;
            try {
                while (Hub.current().nanoTime() < end) {
                    stats[0]++;
                    if (r.nextInt(6) == 0) {
                        try (Timeout t = r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null) {
                            echoBatch(echoPool, port, r);
                        } catch (FiberTimeoutException e) {
                            stats[2]++;
                        }
                        continue;
                    }
                    try (Timeout t = r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null;
                         TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                        int rounds = 1 + r.nextInt(8);
                        for (int i = 0; i < rounds; i++) {
                            byte[] msg = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? 20_000 : 2_000)];
                            r.nextBytes(msg);
                            s.writeAll(msg);
                            byte[] back = new byte[msg.length];
                            s.readFully(back);
                            check(Arrays.equals(msg, back), "echo differs after " + i + " messages");
                            stats[1] += msg.length;
                        }
                        switch (r.nextInt(4)) {
                            case 0 -> s.shutdownOutput();
                            case 1 -> s.setLinger(0); // close with a reset
                            default -> { }
                        }
                        if (r.nextInt(10) == 0) {
                            stats[5]++;
                            check(ThreadPool.offload(() -> 7) == 7, "offload returned another value");
                        }
                    } catch (FiberTimeoutException e) {
                        stats[2]++;
                    } catch (IOException e) {
                        stats[4]++; // a reset (scripted or a peer's), a connect that raced its timeout
                    }
                }
            } finally {
                finallies++;
            }
        };
    }

    private void echoBatch(Pool pool, int port, SplittableRandom r) throws IOException {
        int n = 1 + r.nextInt(6);
        long seed = r.nextLong();
        stats[6]++;
        BitSet seen = new BitSet();
        try (IMap<Integer> it = pool.imapUnordered(i -> {
            SplittableRandom mine = new SplittableRandom(seed + i);
            byte[] msg = new byte[1 + mine.nextInt(4_000)];
            mine.nextBytes(msg);
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                s.writeAll(msg);
                byte[] back = new byte[msg.length];
                s.readFully(back);
                check(Arrays.equals(msg, back), "an imap echo differs");
            }
            return i;
        }, IntStream.range(0, n).boxed().toList(), 3)) {
            while (it.hasNext()) {
                int index;
                try {
                    index = it.next();
                } catch (CancellationException killed) {
                    Matcher m = Pattern.compile("item (\\d+) of ").matcher(killed.getMessage());
                    check(m.find(), "a cancellation naming no item: " + killed);
                    index = Integer.parseInt(m.group(1));
                }
                check(!seen.get(index), "imap item " + index + " came twice");
                seen.set(index);
            }
            check(seen.cardinality() == n, "imap ended with " + seen.cardinality() + " of " + n + " items");
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof IOException)) {
                throw e;
            }
            stats[4]++; // a worker's connection was reset: the iteration is over, as a failure ends it
        }
    }
}
