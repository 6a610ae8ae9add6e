package dev.weft.sockets.sim;

import static dev.weft.sockets.EchoStressClients.BYTES;
import static dev.weft.sockets.EchoStressClients.CONNECTIONS;

import dev.weft.fibers.Hub;
import dev.weft.sockets.EchoStressClients;
import dev.weft.sockets.StreamServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code SocketsStressTest}'s scenario in virtual time, every choice drawn from the seed: client fibers
 * echo random messages through a server on the same hub under random Timeouts, kills (a killer fiber
 * every 2 ms), half-closes, resets ({@code SO_LINGER 0}), offloads and imap batches on a shared pool
 * whose workers are killed too; and the simulation resets every connection now and then. Invariants:
 * every echo is byte for byte, every client's finally runs once, every imap item comes back once (its
 * echo or its worker's cancellation), the server ends with no connection, no fiber fails unobserved.
 * The clients and the killer are {@link EchoStressClients}. Fiber code (the main fiber of a simulated hub).
 */
final class EchoStressScenario {
    private final SplittableRandom rnd;
    private final int clients;
    private final Duration length;

    EchoStressScenario(long seed, int clients, Duration length) {
        this.rnd = new SplittableRandom(seed);
        this.clients = clients;
        this.length = length;
    }

    /** Runs it; returns the counters, indexed as {@link EchoStressClients#stats()}. */
    long[] run(dev.weft.hub.sim.Simulation sim) throws Exception {
        Hub hub = Hub.current();
        List<Throwable> unexpected = new ArrayList<>();
        hub.setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
        StreamServer server = StreamServer.builder(EchoStressClients::echoUntilGone).bind("127.0.0.1", 0).start();
        long lengthNanos = length.toNanos();
        for (long t = 1 + rnd.nextInt(300); t * 1_000_000L < lengthNanos; t += 100 + rnd.nextInt(400)) {
            sim.at(Duration.ofMillis(t), sim::resetAll);
        }
        EchoStressClients echo = new EchoStressClients(server.port(), length, 20_000, "under simulation");
        echo.run(clients, rnd, rnd::split);
        server.stop(Duration.ofSeconds(5));
        check(server.connections() == 0, "the server kept " + server.connections() + " connections");
        check(unexpected.isEmpty(), "unexpected failures: " + unexpected);
        echo.checkEachFinallyRanOnce();
        long[] stats = echo.stats();
        check(stats[CONNECTIONS] > 10 && stats[BYTES] > 0, "too little happened: " + Arrays.toString(stats));
        return stats;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
