package dev.weft.jmh.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.jmh.CommandLine;
import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Processes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parts of {@code ./weft bench fanout} that need no server: the command line (defaults, every
 * option; {@code --help} and a wrong option in a child JVM, which exits), the result math (deliveries
 * per second and per server CPU-second from the window's counts) and the verdict that shows loss,
 * duplicates and disconnects instead of hiding them.
 */
class FanoutBenchPartsTest {

    @Test
    void theDefaultsAreATenSecondClosedLoopOfAThousandClientsAgainstTheThreeServers() {
        FanoutBench.Options o = FanoutBench.parse(new String[0], new CommandLine("fanout", "usage"));
        assertEquals(List.of("weft-epoll", "netty-socketio", "node"), o.servers());
        assertEquals(new FanoutLoad(1000, 5, 10, 8, 0, 2000), o.load());
        assertEquals(Path.of("jmh/target/fanout-result.json"), o.result());
    }

    @Test
    void everyOptionIsRead() {
        FanoutBench.Options o = FanoutBench.parse(new String[] {"--servers", "weft-nio,node", "--clients", "20", "--seconds", "3",
                "--warmup", "0", "--window", "2", "--rate", "500", "--loss-ms", "300", "--result", "x.json"},
                new CommandLine("fanout", "usage"));
        assertEquals(List.of("weft-nio", "node"), o.servers());
        assertEquals(new FanoutLoad(20, 0, 3, 2, 500, 300), o.load());
        assertEquals(Path.of("x.json"), o.result());
    }

    @Test
    void theTableIsWrittenBesideTheJson() {
        assertEquals(Path.of("t/fanout-table.txt"), FanoutBench.tableBeside(Path.of("t/fanout-result.json")));
        assertEquals(Path.of("t/rate-table.txt"), FanoutBench.tableBeside(Path.of("t/rate.json")));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void helpListsTheOptionsAndAWrongOneIsOneLineAndStatusTwo() throws Exception {
        Processes.Result help = ChildJvm.of(FanoutBench.class, "--help").run(30);
        assertEquals(0, help.exit(), help::toString);
        assertTrue(help.out().startsWith("usage: ./weft bench fanout"), help::toString);
        assertTrue(help.out().contains("--clients") && help.out().contains("netty-socketio"), help::toString);
        assertRefused(ChildJvm.of(FanoutBench.class, "--servers", "socketio").run(30),
                "fanout: unknown server 'socketio'; known: weft-epoll, weft-nio, weft-io_uring, netty-socketio, node");
        assertRefused(ChildJvm.of(FanoutBench.class, "--clients", "many").run(30), "fanout: --clients needs a number, not 'many'");
        assertRefused(ChildJvm.of(FanoutBench.class, "--window", "0").run(30),
                "fanout: --clients, --seconds, --window and --loss-ms must be at least 1");
        assertRefused(ChildJvm.of(FanoutBench.class, "--rate", "-5").run(30), "fanout: --warmup and --rate cannot be negative");
    }

    @Test
    void theRatesComeFromTheWindowsDeliveriesAndTheServersCpuTime() {
        // 200,000 deliveries in 2 s with 0.5 s of server CPU: 100,000/s, 2.5 µs each, 400,000 per CPU-second
        FanoutResult r = new FanoutResult("weft-epoll", client(200_000, 2.0, 5_000_000, 5_000_000, 0, 0, 0, Map.of()), 500_000_000L, 1_000_000_000L);
        assertEquals(100_000, r.deliveredPerSecond(), 1e-9);
        assertEquals(2.5, r.serverCpuMicrosPerDelivery(), 1e-9);
        assertEquals(400_000, r.deliveriesPerCpuSecond(), 1e-9);
        assertEquals(50, r.clientCpuPercent(), 1e-9);
        assertTrue(r.complete());
        assertEquals("all 5,000,000", r.deliveryVerdict());
        assertTrue(r.json().contains("\"deliveriesPerServerCpuSecond\": 400000.0"), r.json());
        assertTrue(r.json().contains("\"complete\": true"), r.json());
        assertTrue(FanoutBench.table(List.of(r)).contains("400,000"), FanoutBench.table(List.of(r)));
    }

    @Test
    void lostDuplicatedAndDisconnectedAreShownNotHidden() {
        FanoutResult r = new FanoutResult("node", client(10, 1.0, 5_000, 4_990, 7, 3, 2, Map.of("io server disconnect", 2)), 1, 1);
        assertFalse(r.complete());
        assertEquals("4,990 of 5,000, LOST 7, DUPLICATED 3, DISCONNECTED 2 {io server disconnect=2}", r.deliveryVerdict());
        assertTrue(r.json().contains("\"lost\": 7, \"duplicates\": 3"), r.json());
        FanoutResult nothing = new FanoutResult("node", client(0, 1.0, 5_000, 0, 5_000, 0, 0, Map.of()), 0, 0);
        assertTrue(Double.isNaN(nothing.serverCpuMicrosPerDelivery()));
        assertEquals(0, nothing.deliveriesPerCpuSecond());
    }

    @Test
    void theLoadClientsResultLineIsParsed() {
        FanoutResult.Client c = FanoutResult.Client.parse("{\"clients\":3,\"joined\":3,\"connectErrors\":0,\"connectErrorMessages\":{},"
                + "\"mode\":\"closed loop, window 8\",\"sent\":10,\"sentInWindow\":6,\"windowSeconds\":1.002,\"deliveredInWindow\":18,"
                + "\"expected\":30,\"delivered\":30,\"lost\":0,\"duplicates\":0,\"timedOut\":0,\"disconnected\":0,"
                + "\"disconnectReasons\":{},\"p50Micros\":812.4,\"p99Micros\":1500.2,\"maxMicros\":1600}");
        assertEquals(18, c.deliveredInWindow());
        assertEquals(1500.2, c.p99Micros(), 1e-9);
        assertEquals("closed loop, window 8", c.mode());
    }

    private static FanoutResult.Client client(long deliveredInWindow, double seconds, long expected, long delivered, long lost,
                                              long duplicates, int disconnected, Map<String, Integer> reasons) {
        return new FanoutResult.Client(1000, 1000, 0, "closed loop, window 8", 5_000, 200, seconds, deliveredInWindow,
                expected, delivered, lost, duplicates, 0, disconnected, reasons, 800, 2000, 3000);
    }

    private static void assertRefused(Processes.Result r, String message) {
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.stderr().strip().startsWith(message), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), r::toString);
    }
}
