package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.IMap;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.VoidTask;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The echo clients of the sockets stress tests ({@code SocketsStressTest} on a real hub,
 * {@code SocketsCrossHubStressTest} against a server on a group of hubs, {@code EchoStressScenario} in
 * virtual time), written once: client fibers open connections to an echo server, send random-sized
 * messages and check the echo byte for byte, under random {@link Timeout}s, half-closes, resets
 * ({@code SO_LINGER 0}) and {@link ThreadPool#offload} calls; now and then a client echoes a batch of
 * messages at once, one connection each, through {@code imapUnordered} on a shared {@link Pool}. A
 * killer kills a client every 2 ms (and replaces it) and, one time in three, one of the pool's workers.
 * Every imap item must come back once: its echo, checked, or its killed worker's cancellation.
 *
 * <p>Fiber code: made, run and read on the hub whose fibers are the clients (the counters are plain
 * fields). The hub's clock ({@link Hub#nanoTime()}) decides the end, so it runs in virtual time under
 * the simulation backend. A broken invariant throws an {@link AssertionError} ending with the
 * {@code replay} text given.
 */
public final class EchoStressClients {
    /** Indexes into {@link #stats()}. */
    public static final int CONNECTIONS = 0, BYTES = 1, TIMEOUTS = 2, KILLS = 3, IO_ERRORS = 4, OFFLOADS = 5,
            IMAP_BATCHES = 6, IMAP_CANCELLATIONS = 7, IMAP_WORKER_KILLS = 8;

    private final long[] stats = new long[9];
    private final int port;
    private final int largestMessage;
    private final long end;
    private final String replay;
    private final Pool echoPool = new Pool(8);
    private int started;
    private int finallies;

    /**
     * Clients of the echo server at {@code 127.0.0.1:port} that run for {@code length} of the calling
     * hub's clock from now; one message in ten is up to {@code largestMessage} bytes long, the others up
     * to 2,000. Hub thread.
     */
    public EchoStressClients(int port, Duration length, int largestMessage, String replay) {
        this.port = port;
        this.largestMessage = largestMessage;
        this.end = Hub.current().nanoTime() + length.toNanos();
        this.replay = replay;
    }

    /**
     * The stress tests' server handler: echoes what it reads until its client goes away (an
     * {@link IOException} from a reset or a kill mid-message is the clients' doing, not a failure).
     */
    public static void echoUntilGone(TcpSocket socket) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (socket.read(buf.clear()) > 0) {
                socket.writeAll(buf.flip());
            }
        } catch (IOException peerWentAway) {
            // clients reset and are killed mid-message on purpose
        }
    }

    /**
     * Spawns {@code count} clients, each with the generator {@code clientRandom} gives it, kills one
     * client (replacing it) every 2 ms until the end, choosing with {@code rnd}, and then waits (30 s at
     * the most) for the clients and the pool's workers to end. Fiber code; blocks until then.
     *
     * @throws AssertionError when the clients or the pool's workers did not end in 30 s (a client's own
     *     failed check ends that client and reaches the hub's uncaught-exception handler instead)
     */
    public void run(int count, RandomGenerator rnd, Supplier<RandomGenerator> clientRandom) {
        List<Fiber<Void>> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(Fiber.spawn("client-" + i, client(clientRandom.get())));
        }
        while (Hub.current().nanoTime() < end) {
            Fiber.sleep(2);
            int victim = rnd.nextInt(clients.size());
            clients.get(victim).kill();
            stats[KILLS]++;
            clients.set(victim, Fiber.spawn("client-r" + stats[KILLS], client(clientRandom.get())));
            List<Fiber<?>> echoing = echoPool.fibers();
            if (!echoing.isEmpty() && rnd.nextInt(3) == 0) {
                echoing.get(rnd.nextInt(echoing.size())).kill();
                stats[IMAP_WORKER_KILLS]++;
            }
        }
        check(Fiber.joinAll(clients, Duration.ofSeconds(30)), "clients did not end");
        check(echoPool.join(Duration.ofSeconds(30)), "imap workers did not end");
    }

    /** The counters, indexed by {@link #CONNECTIONS} and the others (live: not a copy). */
    public long[] stats() {
        return stats;
    }

    /** Throws unless every client that started ran its {@code finally} exactly once. */
    public void checkEachFinallyRanOnce() {
        check(started == finallies, started + " clients started, " + finallies + " finally blocks ran: a client's"
                + " finally did not run exactly once");
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + "; " + replay);
        }
    }

    private VoidTask client(RandomGenerator r) {
        return () -> {
            started++;
            try {
                while (Hub.current().nanoTime() < end) {
                    stats[CONNECTIONS]++;
                    if (r.nextInt(6) == 0) {
                        try (Timeout t = randomTimeout(r)) {
                            echoBatch(r);
                        } catch (FiberTimeoutException e) {
                            stats[TIMEOUTS]++;
                        }
                        continue;
                    }
                    try (Timeout t = randomTimeout(r);
                         TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                        for (int i = 0, rounds = 1 + r.nextInt(8); i < rounds; i++) {
                            byte[] msg = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? largestMessage : 2_000)];
                            r.nextBytes(msg);
                            s.writeAll(msg);
                            byte[] back = new byte[msg.length];
                            s.readFully(back);
                            check(Arrays.equals(msg, back), "echo differs after " + i + " messages");
                            stats[BYTES] += msg.length;
                        }
                        switch (r.nextInt(4)) {
                            case 0 -> s.shutdownOutput();
                            case 1 -> s.setLinger(0); // close with a reset
                            default -> { }
                        }
                        if (r.nextInt(10) == 0) {
                            stats[OFFLOADS]++;
                            int v = ThreadPool.offload(() -> 7);
                            check(v == 7, "offload returned " + v);
                        }
                    } catch (FiberTimeoutException e) {
                        stats[TIMEOUTS]++;
                    } catch (IOException e) {
                        stats[IO_ERRORS]++; // a reset (scripted or a peer's), a connect that raced its timeout
                    }
                }
            } finally {
                finallies++;
            }
        };
    }

    /** A Timeout of up to 3 ms one time in five, else none (null: try-with-resources skips it). */
    private static Timeout randomTimeout(RandomGenerator r) {
        return r.nextInt(5) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(3_000_000))) : null;
    }

    /**
     * Echoes 1-6 messages at once, each over a connection of its own, through imapUnordered on the
     * pool; checks that every item comes back once (its echo, checked in the worker, or its killed
     * worker's cancellation). The caller's Timeout or kill may end it anywhere.
     */
    private void echoBatch(RandomGenerator r) throws IOException {
        int n = 1 + r.nextInt(6);
        long seed = r.nextLong();
        stats[IMAP_BATCHES]++;
        BitSet seen = new BitSet();
        try (IMap<Integer> it = echoPool.imapUnordered(i -> {
            RandomGenerator mine = new java.util.SplittableRandom(seed + i);
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
                    stats[IMAP_CANCELLATIONS]++;
                }
                check(!seen.get(index), "imap item " + index + " came twice");
                seen.set(index);
            }
            check(seen.cardinality() == n, "imap ended with " + seen.cardinality() + " of " + n + " items");
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof IOException)) {
                throw e;
            }
            stats[IO_ERRORS]++; // a worker's connection failed (a reset): the iteration is over, as a failure ends it
        }
    }
}
