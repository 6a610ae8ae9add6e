package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.weft.sockets.EchoStressClients.BYTES;
import static dev.weft.sockets.EchoStressClients.CONNECTIONS;
import static dev.weft.sockets.EchoStressClients.IMAP_BATCHES;
import static dev.weft.sockets.EchoStressClients.IMAP_CANCELLATIONS;
import static dev.weft.sockets.EchoStressClients.IMAP_WORKER_KILLS;
import static dev.weft.sockets.EchoStressClients.IO_ERRORS;
import static dev.weft.sockets.EchoStressClients.KILLS;
import static dev.weft.sockets.EchoStressClients.OFFLOADS;
import static dev.weft.sockets.EchoStressClients.TIMEOUTS;

import dev.weft.fibers.Hub;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Timeout;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.StressRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sockets half of the randomized stress test: client fibers open connections to an echo
 * server on the same hub, send random-sized messages and check the echo byte for byte, under
 * random {@link Timeout}s, random kills (by a killer fiber), random half-closes and abrupt closes,
 * and {@link ThreadPool#offload} calls; now and then a client echoes a batch of messages at once,
 * one connection each, through {@code imapUnordered} on a shared {@link Pool} whose workers the
 * killer kills too (every item comes back once: its echo, checked, or its worker's cancellation). At
 * the end: every client's {@code finally} ran once, the server's handlers and the pool's workers all
 * ended, and no file descriptor leaked. The clients and the killer are {@link EchoStressClients}.
 *
 * <p>{@code -Dweft.stress.seconds=N} (default 3) and {@code -Dweft.stress.seed=S} as in the fibers
 * stress test; the seed is in every failure message.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class SocketsStressTest {
    private static final int CLIENTS = 40;

    @Test
    void echoClientsSurviveRandomKillsTimeoutsAndCloses() throws Exception {
        StressRun stress = StressRun.pick();
        boolean procFd = Descriptors.supported();
        List<Throwable> unexpected = new ArrayList<>();
        // warm up what opens descriptors once per JVM (the backend, the resolver pool), then count
        Hub.run(() -> ThreadPool.offload(() -> 1));
        long fdsBefore = procFd ? Descriptors.open() : 0;

        long[] stats = Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> unexpected.add(t));
            Random rnd = new Random(stress.seed());
            StreamServer server = StreamServer.builder(EchoStressClients::echoUntilGone).bind("127.0.0.1", 0).start();
            EchoStressClients clients = new EchoStressClients(server.port(), stress.length(), 200_000, stress.replay());
            clients.run(CLIENTS, rnd, () -> new Random(rnd.nextLong()));
            int killed = server.stop(Duration.ofSeconds(5));
            assertEquals(0, server.connections(), stress.replay());
            assertTrue(killed >= 0);
            clients.checkEachFinallyRanOnce();
            return clients.stats();
        });
        assertEquals(List.of(), unexpected, "unexpected failures; " + stress.replay());
        assertTrue(stats[CONNECTIONS] > 100 && stats[BYTES] > 0 && stats[KILLS] > 10 && stats[IMAP_BATCHES] > 5,
                "too little happened: " + stats[CONNECTIONS] + " connections, " + stats[KILLS] + " kills, "
                        + stats[IMAP_BATCHES] + " imap batches; " + stress.replay());
        if (procFd) {
            long fdsAfter = Descriptors.open();
            assertTrue(fdsAfter <= fdsBefore + 2, "descriptors leaked: " + fdsBefore + " before, " + fdsAfter
                    + " after; " + stress.replay());
        }
        stress.report(() -> { // ./weft stress: say what it did
            String backend = Hub.run(() -> Hub.current().backendName());
            return "stress sockets [" + backend + "]: " + stress.seconds() + " s, " + stats[CONNECTIONS] + " connections ("
                    + stats[CONNECTIONS] / stress.seconds() + "/s), " + stats[BYTES] / 1_000_000 + " MB echoed, " + stats[TIMEOUTS]
                    + " timeouts, " + stats[KILLS] + " kills, " + stats[IO_ERRORS] + " I/O errors, " + stats[OFFLOADS]
                    + " offloads, " + stats[IMAP_BATCHES] + " imap batches (" + stats[IMAP_CANCELLATIONS]
                    + " items of killed workers, " + stats[IMAP_WORKER_KILLS] + " worker kills); " + stress.replay();
        });
    }
}
