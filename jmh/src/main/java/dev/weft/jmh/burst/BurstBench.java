package dev.weft.jmh.burst;

import dev.weft.jmh.CommandLine;
import dev.weft.jmh.echo.ServerJvm;
import dev.weft.jmh.echo.TlsKeys;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./weft bench tls-burst}: N clients connect at once over TLS, as after a server restart or a
 * network blip. Each server in turn, in a JVM of its own pinned to CPU 0 ({@code bench.sh} pins this
 * JVM, the load generator, to CPU 1), for each burst size and TLS version:
 *
 * <ol>
 *   <li>{@code --steady} established connections start one exchange every {@code --interval-ms}
 *       each (open loop) and go on through everything below;
 *   <li>a first burst on the fresh server JVM (reported as "cold"), then bursts of {@code --warmup}
 *       handshakes in all (at least two bursts), then more while the JIT compiler still takes over 2 %
 *       of the server's CPU in a burst (at most 3 × {@code --warmup} handshakes more);
 *   <li>a quiet window of 2 s: the established connections' latency without a burst, and the
 *       server's CPU rate under that steady load;
 *   <li>{@code --rounds} measured bursts: time until the last handshake completed (and the last
 *       exchange), handshakes/s, handshake latency p50/p99 (connect to handshake done, per
 *       connection), the server's CPU per handshake (process CPU during the burst, less the steady
 *       load's rate; and of its Java threads only, without the JIT compiler and the collector; and per
 *       thread group, from {@code /proc}: Java threads, collector, JIT compiler, VM thread, where the
 *       serial collector, the one the JVM picks on one CPU, does its work) and the load generator's;
 *       and the established connections' p99 during the burst. The round with the median time to last handshake is reported; all go to the JSON.
 * </ol>
 *
 * <p>The servers use the JDK's TLS provider with the JDK's default cipher suites in the JDK's order
 * (Netty's server too: see {@code TlsKeys.nettyServer}); each row shows the version and suite the
 * server chose. The load generator uses BoringSSL (netty-tcnative), whose client handshake costs a
 * fraction of the JDK's, so that its one CPU is not what limits a burst.
 *
 * <p>A burst connection does a full handshake (no session to resume), one exchange (a 64-byte echo,
 * or {@code GET /} on the HTTPS servers) and closes with a reset (SO_LINGER 0: 5,000-connection
 * bursts would otherwise exhaust the ephemeral ports with TIME_WAIT).
 */
public final class BurstBench {
    private static final String USAGE = """
            usage: ./weft bench tls-burst [OPTIONS]   N clients connect at once over TLS: time to the last handshake,
                                                      handshakes/s, p50/p99, server CPU per handshake, established p99
              --servers LIST       comma-separated, in this order (default: weft-tls-epoll,netty-tls-epoll,
                                   weft-https-epoll,jdk-https); known: %s
              --connections LIST   burst sizes (default 100,1000,5000)
              --protocols LIST     TLSv1.3,TLSv1.2 (the default)
              --warmup N           handshakes in bursts after the cold one, before measuring (default 10000,
                                   at least 2 bursts), then more bursts (up to 3 × N handshakes) until the JIT
                                   compiler takes under 2 %% of the server's CPU in a burst: it competes with the
                                   server for its one CPU
              --rounds N           measured bursts (default 3; the median is shown)
              --steady N           established connections (default 20), one exchange each every
              --interval-ms MS     (default 10)
              --result FILE        the JSON (default jmh/target/tls-burst-result.json)
            WEFT_ECHO_SERVER_OPTS adds JVM options to the server JVMs ({server} is replaced by the server's name).""".formatted(
            String.join(", ", BurstServers.KNOWN));

    private record Row(String server, String protocol, String negotiated, int connections, BurstLoad.Burst cold, BurstLoad.Burst burst,
                       double serverCpuMicrosPerHandshake, double serverThreadsMicrosPerHandshake,
                       double clientCpuMicrosPerHandshake, long quietP50, long quietP99, long burstP99,
                       List<BurstLoad.Burst> rounds, java.util.Map<String, Double> threadGroupMicrosPerHandshake) {
    }

    /** The JIT compiler's share of the server's CPU in a burst below which warm-up ends. */
    private static final double QUIET_COMPILER_SHARE = 0.02;

    private BurstBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> servers = List.of("weft-tls-epoll", "netty-tls-epoll", "weft-https-epoll", "jdk-https");
        List<Integer> sizes = List.of(100, 1000, 5000);
        List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        int warmup = 10_000;
        int rounds = 3;
        int steady = 20;
        int interval = 10;
        Path result = Path.of("jmh/target/tls-burst-result.json");
        CommandLine line = new CommandLine("tls-burst", USAGE);
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--servers" -> servers = List.of(line.value(args[i++], v).split(","));
                case "--connections" -> sizes = line.numbers(args[i++], v);
                case "--protocols" -> protocols = List.of(line.value(args[i++], v).split(","));
                case "--warmup" -> warmup = line.number(args[i++], v);
                case "--rounds" -> rounds = line.number(args[i++], v);
                case "--steady" -> steady = line.number(args[i++], v);
                case "--interval-ms" -> interval = line.number(args[i++], v);
                case "--result" -> result = Path.of(line.value(args[i++], v));
                case "-h", "--help" -> line.help();
                default -> line.unknown(args[i]);
            }
        }
        for (String server : servers) {
            if (!BurstServers.KNOWN.contains(server)) {
                line.fail("unknown server '" + server + "'; known: " + String.join(", ", BurstServers.KNOWN));
            }
        }
        for (String p : protocols) {
            if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                line.fail("unknown protocol '" + p + "'; known: TLSv1.3, TLSv1.2");
            }
        }
        if (rounds < 1 || warmup < 0 || steady < 1 || interval < 1) {
            line.fail("--rounds, --steady and --interval-ms must be at least 1, --warmup at least 0");
        }
        Path keyStore = TlsKeys.generate();
        boolean pin = "1".equals(System.getenv("WEFT_ECHO_PIN")) && CommandLine.onPath("taskset");
        System.out.printf("weft bench tls-burst: servers %s, bursts %s, %s, cold + %,d handshakes of warm-up + %d measured"
                + " bursts, %d established connections × 1 exchange / %d ms%n", servers, sizes, protocols, warmup, rounds, steady,
                interval);
        System.out.println(pin ? "pinning: each server JVM to CPU 0, the load generator to CPU 1"
                : "not pinned (fewer than 2 CPUs or no taskset): server and load generator share CPUs");
        System.out.println("servers: the JDK's TLS provider; load generator: Netty SslHandler over " + (clientProvider()
                == SslProvider.OPENSSL ? "BoringSSL (netty-tcnative)" : "the JDK provider (BoringSSL did not load: "
                + io.netty.handler.ssl.OpenSsl.unavailabilityCause() + ")"));
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            for (String protocol : protocols) {
                for (String server : servers) {
                    Row r = measure(server, protocol, n, keyStore, pin, warmup, rounds, steady, Duration.ofMillis(interval));
                    rows.add(r);
                    System.out.println("  " + line(r));
                }
            }
        }
        String table = table(rows);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(result.toAbsolutePath().getParent());
        Files.writeString(result, json(rows));
        Files.writeString(result.resolveSibling("tls-burst-table.txt"), table);
        System.out.println("tls-burst JSON: " + result);
    }

    private static Row measure(String server, String protocol, int n, Path keyStore, boolean pin, int warmup, int rounds,
                               int steady, Duration interval) throws Exception {
        // No host name: every connection a full handshake (the JDK client resumes sessions by host and port),
        // and so no host name to verify (the certificate is still checked against the trusted one).
        SslContext client = SslContextBuilder.forClient().sslProvider(clientProvider()).protocols(protocol)
                .trustManager((java.security.cert.X509Certificate) TlsKeys.load(keyStore).getCertificate("localhost"))
                .endpointIdentificationAlgorithm(null).build();
        Duration limit = Duration.ofSeconds(120);
        try (ServerJvm jvm = ServerJvm.start(BurstServers.class, server, keyStore, pin);
             BurstLoad load = new BurstLoad(client, BurstServers.http(server), jvm.port())) {
            load.startSteady(steady, interval);
            BurstLoad.Burst cold = load.burst(n, limit);
            for (int i = 0, bursts = Math.max(2, (warmup + n - 1) / n); i < bursts; i++) {
                load.burst(n, limit);
            }
            int extra = warmUntilCompilerIsQuiet(jvm, load, n, warmup, limit);
            if (extra > 0) {
                System.out.printf("  (%s %s N=%d: %,d more warm-up handshakes until the JIT compiler was quiet)%n", server,
                        protocol, n, extra);
            }
            Thread.sleep(500);
            long quietStart = System.nanoTime();
            long quietCpu = jvm.cpuNanos();
            long quietThreads = jvm.javaThreadsCpuNanos();
            java.util.Map<String, Long> quietGroups = jvm.cpuNanosByThreadGroup();
            load.startWindow();
            Thread.sleep(2_000);
            long[] quiet = load.endWindow();
            long quietNanos = System.nanoTime() - quietStart;
            double steadyCpuRate = (double) (jvm.cpuNanos() - quietCpu) / quietNanos;
            double steadyThreadsRate = (double) (jvm.javaThreadsCpuNanos() - quietThreads) / quietNanos;
            java.util.Map<String, Double> steadyGroupRates = rates(quietGroups, jvm.cpuNanosByThreadGroup(), quietNanos);
            List<java.util.Map<String, Double>> groupCosts = new ArrayList<>();
            List<BurstLoad.Burst> all = new ArrayList<>();
            List<double[]> costs = new ArrayList<>(); // server, client CPU µs per handshake; burst p99
            for (int i = 0; i < rounds; i++) {
                Thread.sleep(500);
                long serverBefore = jvm.cpuNanos();
                long threadsBefore = jvm.javaThreadsCpuNanos();
                long clientBefore = clientCpu();
                java.util.Map<String, Long> groupsBefore = jvm.cpuNanosByThreadGroup();
                long t0 = System.nanoTime();
                load.startWindow();
                BurstLoad.Burst b = load.burst(n, limit);
                long[] during = load.endWindow();
                long took = System.nanoTime() - t0;
                double serverCost = (jvm.cpuNanos() - serverBefore - steadyCpuRate * took) / 1e3 / n;
                double threadsCost = (jvm.javaThreadsCpuNanos() - threadsBefore - steadyThreadsRate * took) / 1e3 / n;
                double clientCost = (clientCpu() - clientBefore) / 1e3 / n;
                java.util.Map<String, Double> groupCost = new java.util.LinkedHashMap<>();
                rates(groupsBefore, jvm.cpuNanosByThreadGroup(), 1).forEach((group, nanos) -> groupCost.put(group,
                        (nanos - steadyGroupRates.getOrDefault(group, 0.0) * took) / 1e3 / n));
                groupCosts.add(groupCost);
                all.add(b);
                costs.add(new double[] {serverCost, clientCost, BurstLoad.percentile(during, 99), threadsCost});
            }
            Integer[] order = new Integer[rounds];
            for (int i = 0; i < rounds; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(i -> all.get(i).toLastHandshake()));
            int median = order[rounds / 2];
            double[] c = costs.get(median);
            return new Row(server, protocol, load.negotiated(), n, cold, all.get(median), c[0], c[3], c[1], BurstLoad.percentile(quiet, 50),
                    BurstLoad.percentile(quiet, 99), (long) c[2], all, groupCosts.get(median));
        }
    }

    /**
     * More warm-up bursts while the server's JIT compiler threads still take more than {@value
     * #QUIET_COMPILER_SHARE} of the server's CPU in a burst, at most {@code 3 * warmup} handshakes
     * more. On the server's one CPU the compiler competes with the event loop: after 10,000
     * handshakes C2 still took 60-230 µs per handshake of a measured burst here (a third of the
     * server's CPU, Weft's and Netty's alike, varying from run to run), after 40,000 about none.
     *
     * @return the handshakes added
     */
    private static int warmUntilCompilerIsQuiet(ServerJvm jvm, BurstLoad load, int n, int warmup, Duration limit)
            throws Exception {
        int added = 0;
        while (added < 3 * Math.max(warmup, n)) {
            long before = jvm.cpuNanos();
            java.util.Map<String, Long> groups = jvm.cpuNanosByThreadGroup();
            load.burst(n, limit);
            added += n;
            long jit = jvm.cpuNanosByThreadGroup().getOrDefault("jit", 0L) - groups.getOrDefault("jit", 0L);
            if (groups.isEmpty() || jit <= QUIET_COMPILER_SHARE * (jvm.cpuNanos() - before)) {
                return added;
            }
        }
        return added;
    }

    /** Per thread group: the CPU time between two snapshots divided by {@code nanos}. */
    private static java.util.Map<String, Double> rates(java.util.Map<String, Long> before, java.util.Map<String, Long> after,
                                                       double nanos) {
        java.util.Map<String, Double> r = new java.util.LinkedHashMap<>();
        for (String group : ServerJvm.THREAD_GROUPS) {
            r.put(group, (after.getOrDefault(group, 0L) - before.getOrDefault(group, 0L)) / nanos);
        }
        return r;
    }

    /** A thread group's server CPU per handshake (NaN where the OS gave no per-thread times). */
    private static double group(Row r, String group) {
        return r.threadGroupMicrosPerHandshake().getOrDefault(group, Double.NaN);
    }

    private static String groupsJson(Row r) {
        StringBuilder sb = new StringBuilder();
        r.threadGroupMicrosPerHandshake().forEach((group, micros) -> sb.append(sb.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "\"%s\": %.1f", group, micros)));
        return sb.toString();
    }

    private static String groups(Row r) {
        StringBuilder sb = new StringBuilder();
        r.threadGroupMicrosPerHandshake().forEach((group, micros) -> sb.append(sb.isEmpty() ? "" : " ")
                .append(group).append(String.format(Locale.ROOT, " %.0f", micros)));
        return sb.toString();
    }

    /** BoringSSL (netty-tcnative) when it loads here: a client handshake costs it far less than the JDK's. */
    static SslProvider clientProvider() {
        return io.netty.handler.ssl.OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static long clientCpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static String line(Row r) {
        BurstLoad.Burst b = r.burst();
        return String.format(Locale.ROOT, "%-16s %-7s N=%-5d cold %7.0f ms | last handshake %7.0f ms, %,8.0f hs/s,"
                        + " p50 %6.1f ms, p99 %7.1f ms, server %7.0f µs/hs (Java threads %6.0f), client %6.0f µs/hs |"
                        + " server threads µs/hs: %s | established p99 %6.2f ms"
                        + " quiet, %7.2f ms in the burst | %s%s",
                r.server(), r.protocol(), r.connections(), r.cold().toLastHandshake() / 1e6, b.toLastHandshake() / 1e6,
                b.handshakesPerSecond(), b.percentile(50) / 1e6, b.percentile(99) / 1e6, r.serverCpuMicrosPerHandshake(),
                r.serverThreadsMicrosPerHandshake(), r.clientCpuMicrosPerHandshake(), groups(r), r.quietP99() / 1e6,
                r.burstP99() / 1e6, r.negotiated(), failures(r.cold()) + failures(b));
    }

    private static String failures(BurstLoad.Burst b) {
        return b.failures() == 0 ? "" : "  FAILED " + b.failures() + " of " + b.connections() + ": " + b.firstFailure();
    }

    private static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-16s %-7s %5s %9s %9s %9s %8s %8s %8s %8s %8s %7s %10s %10s %9s %9s %6s  %s%n",
                "server", "TLS", "N", "cold ms", "last ms", "hs/s", "p50 ms", "p99 ms", "srv µs", "thr µs", "gc+vm µs",
                "jit µs", "client µs", "est p99 q", "est p99 b", "ratio", "fail", "negotiated"));
        for (Row r : rows) {
            BurstLoad.Burst b = r.burst();
            sb.append(String.format(Locale.ROOT, "%-16s %-7s %5d %9.0f %9.0f %9.0f %8.1f %8.1f %8.0f %8.0f %8.0f %7.0f %10.0f %10.2f %9.2f %9.2f %6d  %s%n",
                    r.server(), r.protocol(), r.connections(), r.cold().toLastHandshake() / 1e6, b.toLastHandshake() / 1e6,
                    b.handshakesPerSecond(), b.percentile(50) / 1e6, b.percentile(99) / 1e6, r.serverCpuMicrosPerHandshake(),
                    r.serverThreadsMicrosPerHandshake(), group(r, "gc") + group(r, "vm"), group(r, "jit"),
                    r.clientCpuMicrosPerHandshake(), r.quietP99() / 1e6, r.burstP99() / 1e6,
                    (double) r.burstP99() / Math.max(1, r.quietP99()), r.cold().failures() + b.failures(), r.negotiated()));
        }
        return sb.toString();
    }

    private static String json(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            StringBuilder rounds = new StringBuilder();
            for (BurstLoad.Burst b : r.rounds()) {
                rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                        "{\"toLastHandshakeMillis\": %.1f, \"toLastExchangeMillis\": %.1f, \"p50Millis\": %.2f,"
                                + " \"p99Millis\": %.2f, \"failures\": %d}", b.toLastHandshake() / 1e6,
                        b.toLastExchange() / 1e6, b.percentile(50) / 1e6, b.percentile(99) / 1e6, b.failures()));
            }
            sb.append(String.format(Locale.ROOT, "  {\"server\": \"%s\", \"protocol\": \"%s\", \"negotiated\": \"%s\","
                            + " \"connections\": %d,"
                            + " \"coldToLastHandshakeMillis\": %.1f, \"coldFailures\": %d, \"toLastHandshakeMillis\": %.1f,"
                            + " \"handshakesPerSecond\": %.1f, \"p50Millis\": %.2f, \"p99Millis\": %.2f,"
                            + " \"serverCpuMicrosPerHandshake\": %.1f, \"serverJavaThreadsCpuMicrosPerHandshake\": %.1f,"
                            + " \"clientCpuMicrosPerHandshake\": %.1f,"
                            + " \"establishedP50QuietMillis\": %.3f, \"establishedP99QuietMillis\": %.3f,"
                            + " \"establishedP99BurstMillis\": %.3f, \"threadGroupCpuMicrosPerHandshake\": {%s},"
                            + " \"rounds\": [%s]}%s%n",
                    r.server(), r.protocol(), r.negotiated(), r.connections(), r.cold().toLastHandshake() / 1e6,
                    r.cold().failures(),
                    r.burst().toLastHandshake() / 1e6, r.burst().handshakesPerSecond(), r.burst().percentile(50) / 1e6,
                    r.burst().percentile(99) / 1e6, r.serverCpuMicrosPerHandshake(), r.serverThreadsMicrosPerHandshake(),
                    r.clientCpuMicrosPerHandshake(),
                    r.quietP50() / 1e6, r.quietP99() / 1e6, r.burstP99() / 1e6, groupsJson(r), rounds,
                    i + 1 < rows.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }
}
