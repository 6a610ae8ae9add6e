package dev.weft.jmh.multicore;

import dev.weft.jmh.CommandLine;
import dev.weft.jmh.echo.EchoLoad;
import dev.weft.jmh.echo.EchoServerMain;
import dev.weft.jmh.echo.EchoServers;
import dev.weft.jmh.echo.ServerJvm;
import dev.weft.jmh.http.HttpBench;
import dev.weft.jmh.http.HttpServerMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ./weft bench multicore}: every server at one and at two threads, side by side in one run,
 * for HTTP ({@code GET /bar}, keep-alive, wrk {@code -t2}) and echo (64-byte round trips, the echo
 * load generator of {@code bench echo}, two of them): Weft on a group of 1 and 2 hubs, Netty with 1
 * and 2 event loops, Go (net/http; a goroutine per echo connection) with {@code GOMAXPROCS} 1 and 2,
 * and the JDK's {@code HttpServer} on virtual threads (HTTP only). Nothing is pinned: server and
 * load generator share every core, so the bench reports the server process's CPU time per request
 * ({@code /proc/PID/stat}, all its threads, over the measured window) beside requests/s. Writes the
 * rows as JSON, a text table with the goal verdicts, and {@link MulticoreChart}'s SVG beside the
 * JSON. Main thread.
 *
 * <pre>
 * MulticoreBench [--connections 100,1000] [--echo-connections 100,1000] [--warmup SECONDS]
 *                [--measure SECONDS] [--no-echo] [--no-http] [--result FILE]
 * </pre>
 */
public final class MulticoreBench {
    /** One server configuration: its family (weft, netty, go, jdk), its thread count, its name in the chart. */
    record Server(String family, int threads, String series) {
        String httpName() {
            return switch (family) {
                case "weft" -> "weft-hubs-" + threads;
                case "netty" -> "netty-loops-" + threads;
                case "jdk" -> "jdk-virtual";
                default -> throw new IllegalStateException(family);
            };
        }

        String echoName() {
            return switch (family) {
                case "weft" -> EchoServers.WEFT_HUBS + threads;
                case "netty" -> EchoServers.NETTY_LOOPS + threads;
                default -> throw new IllegalStateException(family);
            };
        }
    }

    /** One measurement: {@code workload} is "HTTP" or "echo". */
    record Result(String workload, int connections, Server server, double perSecond, double cpuMicros, double p99Micros,
                  String errors) {
        String group() {
            return workload + " C=" + connections;
        }
    }

    private static final String USAGE = """
            usage: ./weft bench multicore [OPTIONS]   Weft 1/2 hubs vs Netty 1/2 loops vs Go GOMAXPROCS 1/2 vs JDK virtual threads
              --connections LIST       HTTP connection counts (default 100,1000)
              --echo-connections LIST  echo connection counts (default 100,1000)
              --warmup SECONDS         warm-up per server (default 4)
              --measure SECONDS        each measured window (default 6)
              --no-http, --no-echo     leave a workload out
              --result FILE            the JSON (default jmh/target/multicore-result.json; the chart: multicore-chart.svg beside it)
            Nothing is pinned: servers and load generators share every core. Go needs 'go' (apt-get install -y golang-go).""";

    private static final int LOAD_THREADS = 2;

    private MulticoreBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> httpConnections = List.of(100, 1000);
        List<Integer> echoConnections = List.of(100, 1000);
        int warmup = 4;
        int measure = 6;
        boolean http = true;
        boolean echo = true;
        Path result = Path.of("jmh/target/multicore-result.json");
        CommandLine line = new CommandLine("multicore", USAGE);
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--connections" -> httpConnections = line.numbers(args[i++], v);
                case "--echo-connections" -> echoConnections = line.numbers(args[i++], v);
                case "--warmup" -> warmup = line.number(args[i++], v);
                case "--measure" -> measure = line.number(args[i++], v);
                case "--no-http" -> http = false;
                case "--no-echo" -> echo = false;
                case "--result" -> result = Path.of(line.value(args[i++], v));
                case "-h", "--help" -> line.help();
                default -> line.unknown(args[i]);
            }
        }
        if (!http && !echo) {
            line.fail("--no-http and --no-echo leave nothing to measure");
        }
        if (http && !CommandLine.onPath("wrk")) {
            line.fail("needs wrk for HTTP: install the Debian package 'wrk' (apt-get install wrk), or pass --no-http");
        }
        Path targetDir = result.toAbsolutePath().getParent();
        Files.createDirectories(targetDir);
        GoServers go = null;
        if (GoServers.goAvailable()) {
            go = GoServers.build(targetDir.resolve("go"));
        } else {
            String skip = "SKIPPING Go (net/http and echo): 'go' is not on the PATH; apt-get install -y golang-go";
            System.out.println(skip);
            System.err.println(skip);
        }
        List<Server> servers = new ArrayList<>(List.of(new Server("weft", 1, "Weft 1 hub"), new Server("weft", 2, "Weft 2 hubs"),
                new Server("netty", 1, "Netty 1 loop"), new Server("netty", 2, "Netty 2 loops")));
        if (go != null) {
            servers.addAll(List.of(new Server("go", 1, "Go GOMAXPROCS=1"), new Server("go", 2, "Go GOMAXPROCS=2")));
        }
        String machine = String.format(Locale.ROOT, "%d CPUs, load %s at start; nothing pinned: servers and load generators"
                + " (wrk -t2; %d echo load threads) share every core; warm-up %d s, measured %d s",
                Runtime.getRuntime().availableProcessors(), loadAverage(), LOAD_THREADS, warmup, measure);
        System.out.println("weft bench multicore: " + machine);
        List<Result> rows = new ArrayList<>();
        if (http) {
            List<Server> httpServers = new ArrayList<>(servers);
            httpServers.add(new Server("jdk", Runtime.getRuntime().availableProcessors(), "JDK HttpServer, virtual threads"));
            for (Server s : httpServers) {
                rows.addAll(measureHttp(s, go, httpConnections, warmup, measure));
            }
        }
        if (echo) {
            for (int c : echoConnections) {
                for (Server s : servers) {
                    rows.add(measureEcho(s, go, c, warmup, measure));
                }
            }
        }
        List<String> order = List.of("HTTP", "echo");
        rows.sort(java.util.Comparator.comparingInt((Result r) -> order.indexOf(r.workload())).thenComparingInt(Result::connections));
        String table = table(rows) + "\n" + String.join("\n", verdicts(rows)) + "\n";
        System.out.println();
        System.out.println(table);
        Files.writeString(result, json(rows, machine));
        String base = result.getFileName().toString().replaceFirst("-result\\.json$|\\.json$", "");
        Files.writeString(result.resolveSibling(base + "-table.txt"), table);
        Path chart = result.resolveSibling(base + "-chart.svg");
        Files.writeString(chart, MulticoreChart.svg("./weft bench multicore, " + Instant.now().toString().substring(0, 16) + "Z",
                machine, bars(rows)));
        System.out.println("multicore JSON: " + result + "\nchart: " + chart);
    }

    private static List<Result> measureHttp(Server s, GoServers go, List<Integer> connections, int warmup, int measure)
            throws Exception {
        try (ServerJvm server = s.family().equals("go") ? go.start("http", s.threads())
                : ServerJvm.start(HttpServerMain.class, s.httpName(), null, false)) {
            String url = "http://127.0.0.1:" + server.port() + "/bar";
            HttpBench.wrk(url, connections.get(0), warmup, null, LOAD_THREADS);
            List<Result> out = new ArrayList<>();
            for (int c : connections) {
                HttpBench.wrk(url, c, 1, null, LOAD_THREADS); // settle at this count
                long before = HttpBench.cpuTicks(server.pid());
                HttpBench.WrkRun run = HttpBench.WrkRun.parse(HttpBench.wrk(url, c, measure, null, LOAD_THREADS));
                long after = HttpBench.cpuTicks(server.pid());
                Result r = new Result("HTTP", c, s, run.requestsPerSecond(),
                        HttpBench.ticksToMicros(after - before) / Math.max(1, run.requests()), run.p99Micros(), run.errors());
                print(r);
                out.add(r);
            }
            return out;
        }
    }

    /** {@link #LOAD_THREADS} echo load generators (one event-loop thread each) with {@code connections} between them. */
    private static Result measureEcho(Server s, GoServers go, int connections, int warmup, int measure) throws Exception {
        try (ServerJvm server = s.family().equals("go") ? go.start("echo", s.threads())
                : ServerJvm.start(EchoServerMain.class, s.echoName(), null, false)) {
            List<EchoLoad> loads = new ArrayList<>();
            try {
                for (int i = 0; i < LOAD_THREADS; i++) {
                    EchoLoad load = new EchoLoad();
                    loads.add(load);
                    load.connect(server.port(), connections / LOAD_THREADS + (i < connections % LOAD_THREADS ? 1 : 0));
                }
                Thread.sleep(warmup * 1000L);
                long before = HttpBench.cpuTicks(server.pid());
                List<CompletableFuture<EchoLoad.Window>> windows = new ArrayList<>();
                for (EchoLoad load : loads) {
                    windows.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return load.run(0, measure * 1000L);
                        } catch (Exception e) {
                            throw new IllegalStateException("echo load generator failed", e);
                        }
                    }, r -> Thread.ofPlatform().start(r)));
                }
                double perSecond = 0;
                long roundTrips = 0;
                long errors = 0;
                long[] latencies = new long[0];
                for (CompletableFuture<EchoLoad.Window> f : windows) {
                    EchoLoad.Window w = f.get();
                    perSecond += w.perSecond();
                    roundTrips += w.roundTrips();
                    errors += w.errors();
                    long[] merged = Arrays.copyOf(latencies, latencies.length + w.latencies().length);
                    System.arraycopy(w.latencies(), 0, merged, latencies.length, w.latencies().length);
                    latencies = merged;
                }
                long after = HttpBench.cpuTicks(server.pid());
                Arrays.sort(latencies);
                EchoLoad.Window all = new EchoLoad.Window(roundTrips, 1, latencies, errors);
                Result r = new Result("echo", connections, s, perSecond,
                        HttpBench.ticksToMicros(after - before) / Math.max(1, roundTrips), all.percentile(99) / 1e3,
                        errors > 0 ? "errors: " + errors : "");
                print(r);
                return r;
            } finally {
                for (EchoLoad load : loads) {
                    load.close();
                }
            }
        }
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "  %-5s C=%-5d %-32s %,10.0f /s  p99 %9.1f µs  server CPU %6.2f µs/req%s%n",
                r.workload(), r.connections(), r.server().series(), r.perSecond(), r.p99Micros(), r.cpuMicros(),
                r.errors().isEmpty() ? "" : "  " + r.errors());
    }

    /** The chart's bars: one per row, grouped by workload and connection count. */
    static List<MulticoreChart.Bar> bars(List<Result> rows) {
        List<MulticoreChart.Bar> bars = new ArrayList<>();
        for (Result r : rows) {
            bars.add(new MulticoreChart.Bar(r.group(), r.server().series(), r.server().family(), r.perSecond(), r.cpuMicros()));
        }
        return bars;
    }

    /**
     * The goals per workload: Weft's gain from 1 to 2 hubs at least Netty's from 1 to 2 loops,
     * and Weft's CPU per request at most Netty's at 1 and at 2.
     */
    static List<String> verdicts(List<Result> rows) {
        List<String> out = new ArrayList<>();
        for (String group : rows.stream().map(Result::group).distinct().toList()) {
            Result w1 = find(rows, group, "weft", 1);
            Result w2 = find(rows, group, "weft", 2);
            Result n1 = find(rows, group, "netty", 1);
            Result n2 = find(rows, group, "netty", 2);
            if (w1 == null || w2 == null || n1 == null || n2 == null) {
                continue;
            }
            double wGain = w2.perSecond() / w1.perSecond();
            double nGain = n2.perSecond() / n1.perSecond();
            out.add(String.format(Locale.ROOT, "%-13s gain 1->2: Weft x%.2f, Netty x%.2f: %s;  CPU/req at 1: Weft %.2f vs Netty %.2f µs: %s;"
                            + "  at 2: Weft %.2f vs Netty %.2f µs: %s", group, wGain, nGain, wGain >= nGain ? "met" : "NOT met",
                    w1.cpuMicros(), n1.cpuMicros(), w1.cpuMicros() <= n1.cpuMicros() ? "met" : "NOT met",
                    w2.cpuMicros(), n2.cpuMicros(), w2.cpuMicros() <= n2.cpuMicros() ? "met" : "NOT met"));
        }
        return out;
    }

    private static Result find(List<Result> rows, String group, String family, int threads) {
        return rows.stream().filter(r -> r.group().equals(group) && r.server().family().equals(family)
                && r.server().threads() == threads).findFirst().orElse(null);
    }

    static String table(List<Result> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-6s %6s  %-32s %12s %10s %14s  %s%n",
                "load", "C", "server", "req/s", "p99 µs", "server µs/req", "errors"));
        for (Result r : rows) {
            sb.append(String.format(Locale.ROOT, "%-6s %6d  %-32s %,12.0f %10.1f %14.2f  %s%n", r.workload(), r.connections(),
                    r.server().series(), r.perSecond(), r.p99Micros(), r.cpuMicros(), r.errors()));
        }
        return sb.toString();
    }

    private static String json(List<Result> rows, String machine) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": \"" + MulticoreChart.escape(machine) + "\",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Result r = rows.get(i);
            sb.append(String.format(Locale.ROOT, "    {\"workload\": \"%s\", \"connections\": %d, \"server\": \"%s\", \"threads\": %d,"
                            + " \"series\": \"%s\", \"perSecond\": %.1f, \"serverCpuMicrosPerRequest\": %.3f, \"p99Micros\": %.1f,"
                            + " \"errors\": \"%s\"}%s%n", r.workload(), r.connections(), r.server().family(), r.server().threads(),
                    r.server().series(), r.perSecond(), r.cpuMicros(), r.p99Micros(), r.errors(), i + 1 < rows.size() ? "," : ""));
        }
        sb.append("  ],\n  \"goals\": [\n");
        List<String> v = verdicts(rows);
        for (int i = 0; i < v.size(); i++) {
            sb.append("    \"").append(v.get(i).replace("\"", "'")).append('"').append(i + 1 < v.size() ? "," : "").append('\n');
        }
        return sb.append("  ]\n}\n").toString();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ")[0];
        } catch (java.io.IOException e) {
            return "(unknown)";
        }
    }
}
