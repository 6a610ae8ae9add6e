package dev.weft.jmh.echo;

import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import dev.weft.jmh.CommandLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./weft bench echo}: each echo server in turn, in its own JVM (pinned to CPU 0 when the
 * machine has two or more and {@code taskset} exists; {@code bench.sh} decides and sets {@code
 * WEFT_ECHO_PIN=1}), driven by {@link EchoLoad} in this JVM (which
 * {@code bench.sh} pins to CPU 1), with C = 100 and C = 1,000 connections. Prints throughput, p50
 * and p99 latency and the server process's CPU time per round trip, and writes them as JSON.
 *
 * <p>{@code WEFT_ECHO_SERVER_OPTS} adds JVM options to the server JVMs only (a profiler agent, GC
 * logging).
 *
 * <p>{@code --tls}: the same over TLS (JDK provider everywhere; a fresh EC P-256 key made by keytool):
 * Weft's {@code TlsServer} against Netty's {@code SslHandler} with one event loop, the load generator
 * a Netty client with {@code SslHandler}. {@code --message} sets the message size (default 64 bytes).
 * {@code --handshakes}: every connection does one handshake and one round trip, closes, and is
 * replaced; "rt/s" is then handshakes/s and the CPU column is server CPU per handshake.
 *
 * <p>{@code --websocket}: WebSocket echo round trips (a binary frame each way, masked by the client):
 * Weft's {@code websocket} server against Netty's {@code WebSocketServerProtocolHandler}, one loop each.
 *
 * <pre>
 * EchoBench [--servers weft-epoll,weft-nio,netty-epoll,netty-nio,vthreads] [--connections 100,1000]
 *           [--warmup SECONDS] [--measure SECONDS] [--result FILE]
 *           [--tls] [--message BYTES] [--handshakes] [--websocket]
 * </pre>
 */
public final class EchoBench {
    private record Row(String server, int connections, EchoLoad.Window window, double serverCpuNanos, double javaThreadsCpuNanos,
                       java.util.Map<String, Long> syscalls) {
        String syscallsPerRoundTrip() {
            return SyscallCount.perRoundTrip(syscalls, window.roundTrips());
        }

        double cpuMicrosPerRoundTrip() {
            return serverCpuNanos / 1_000 / Math.max(1, window.roundTrips());
        }

        /** The server's Java threads only (event loop and pools; no JIT compiler, no GC). */
        double threadsMicrosPerRoundTrip() {
            return javaThreadsCpuNanos / 1_000 / Math.max(1, window.roundTrips());
        }
    }

    private EchoBench() {
    }

    private static final String USAGE = """
            usage: ./weft bench echo [OPTIONS]   echo servers side by side: throughput, p50/p99, server CPU per round trip
              --servers LIST       comma-separated (default: weft on every backend here, netty-epoll, netty-nio); known:
                                   %s
              --connections LIST   connection counts, e.g. 100,1000 (the default)
              --warmup SECONDS     before each measurement (default 3)
              --measure SECONDS    measured window (default 5)
              --message BYTES      message size (default %d)
              --tls                the same over TLS (JDK provider); --handshakes: a new connection per round trip
              --websocket          WebSocket echo: Weft's websocket module against Netty's WebSocket codec (one loop each);
                                   weft-ws-http-<backend> upgrades through WeftHttpServer (the default backend's is in the default list)
              --syscalls           count the server's system calls in the measured window (perf stat; needs root)
              --result FILE        the JSON (default jmh/target/echo-result.json)
            WEFT_ECHO_SERVER_OPTS adds JVM options to the server JVMs (a profiler agent, GC logging).""".formatted(
            String.join(", ", EchoServers.KNOWN), EchoLoad.MESSAGE);

    private static boolean tls;
    private static boolean websocket;
    private static boolean handshakes;
    private static boolean syscalls;
    private static int message = EchoLoad.MESSAGE;
    private static Path keyStore;

    public static void main(String[] args) throws Exception {
        List<String> servers = defaultServers();
        List<Integer> connections = List.of(100, 1000);
        int warmup = 3;
        int measure = 5;
        Path result = Path.of("jmh/target/echo-result.json");
        boolean serversGiven = false;
        CommandLine line = new CommandLine("echo", USAGE);
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--servers" -> {
                    servers = List.of(line.value(args[i++], v).split(","));
                    serversGiven = true;
                }
                case "--tls" -> tls = true;
                case "--websocket" -> websocket = true;
                case "--handshakes" -> handshakes = true;
                case "--syscalls" -> syscalls = true;
                case "--message" -> message = line.number(args[i++], v);
                case "--connections" -> connections = line.numbers(args[i++], v);
                case "--warmup" -> warmup = line.number(args[i++], v);
                case "--measure" -> measure = line.number(args[i++], v);
                case "--result" -> result = Path.of(line.value(args[i++], v));
                case "-h", "--help" -> line.help();
                default -> line.unknown(args[i]);
            }
        }
        for (String server : servers) {
            if (!EchoServers.KNOWN.contains(server)) {
                line.fail("unknown server '" + server + "'; known: " + String.join(", ", EchoServers.KNOWN));
            }
        }
        if (tls) {
            keyStore = TlsKeys.generate();
            if (!serversGiven) {
                servers = new ArrayList<>();
                for (HubBackend b : Backends.available()) {
                    servers.add("weft-tls-" + b.name());
                }
                servers.add(io.netty.channel.epoll.Epoll.isAvailable() ? "netty-tls-epoll" : "netty-tls-nio");
            }
        } else if (handshakes) {
            line.fail("--handshakes needs --tls");
        }
        if (websocket) {
            if (tls) {
                line.fail("--websocket is plain ws:// (no --tls)");
            }
            if (!serversGiven) {
                servers = new ArrayList<>();
                for (HubBackend b : Backends.available()) {
                    servers.add("weft-ws-" + b.name());
                }
                servers.add("weft-ws-http-" + Backends.available().get(0).name()); // through WeftHttpServer's upgrade hook
                servers.add(io.netty.channel.epoll.Epoll.isAvailable() ? "netty-ws-epoll" : "netty-ws-nio");
            }
        }
        // bench.sh pins this JVM to CPU 1 (so availableProcessors() here says 1) and sets WEFT_ECHO_PIN.
        boolean pin = "1".equals(System.getenv("WEFT_ECHO_PIN")) && CommandLine.onPath("taskset");
        System.out.printf("weft bench echo: servers %s, connections %s, warm-up %d s, measured %d s, %d-byte messages%s%n",
                servers, connections, warmup, measure, message, tls ? (handshakes
                        ? ", TLS (JDK provider), a new connection and handshake per round trip: rt/s = handshakes/s"
                        : ", TLS (JDK provider)") : websocket ? ", WebSocket binary frames (masked by the client)" : "");
        System.out.println(pin ? "pinning: each server JVM to CPU 0 (taskset -c 0); load generator: CPUs "
                + allowedCpus() : "not pinned (fewer than 2 CPUs or no taskset): server and load generator share CPUs");

        List<Row> rows = new ArrayList<>();
        for (int c : connections) {
            for (String server : servers) {
                Row row = measure(server, c, warmup, measure, pin);
                rows.add(row);
                System.out.printf(Locale.ROOT, "  %-12s C=%-5d %,10.0f rt/s  p50 %7.1f µs  p99 %7.1f µs  server CPU %6.2f µs/rt (Java threads %6.2f)%s%s%n",
                        server, c, row.window().perSecond(), row.window().percentile(50) / 1e3,
                        row.window().percentile(99) / 1e3, row.cpuMicrosPerRoundTrip(), row.threadsMicrosPerRoundTrip(),
                        syscalls ? "  syscalls/rt " + row.syscallsPerRoundTrip() : "",
                        row.window().errors() > 0 ? "  ERRORS " + row.window().errors() : "");
            }
        }
        String table = table(rows);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(result.toAbsolutePath().getParent());
        Files.writeString(result, json(rows));
        Files.writeString(result.resolveSibling("echo-table.txt"), table);
        System.out.println("echo JSON: " + result);
    }

    private static List<String> defaultServers() {
        List<String> servers = new ArrayList<>();
        for (HubBackend b : Backends.available()) {
            servers.add("weft-" + b.name());
        }
        if (io.netty.channel.epoll.Epoll.isAvailable()) {
            servers.add("netty-epoll");
        }
        servers.add("netty-nio");
        servers.add("vthreads");
        return servers;
    }

    private static Row measure(String server, int connections, int warmup, int measure, boolean pin) throws Exception {
        try (ServerJvm jvm = ServerJvm.start(EchoServerMain.class, server, keyStore, pin);
             EchoLoad load = new EchoLoad(message, keyStore == null ? null : TlsKeys.nettyClient(keyStore), handshakes, websocket)) {
            load.connect(jvm.port(), connections);
            Thread.sleep(warmup * 1000L);
            long cpuBefore = jvm.cpuNanos();
            long threadsBefore = jvm.javaThreadsCpuNanos();
            SyscallCount counting = syscalls ? SyscallCount.start(jvm.pid()) : null;
            EchoLoad.Window w = load.run(0, measure * 1000L);
            java.util.Map<String, Long> counted = counting == null ? java.util.Map.of() : counting.stop();
            long cpuAfter = jvm.cpuNanos();
            long threadsAfter = jvm.javaThreadsCpuNanos();
            return new Row(server, connections, w, cpuAfter - cpuBefore, threadsAfter - threadsBefore, counted);
        }
    }

    private static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-15s %6s %12s %10s %10s %14s %16s%s%n",
                "server", "C", "rt/s", "p50 µs", "p99 µs", "server µs/rt", "threads µs/rt", syscalls ? "  syscalls/rt" : ""));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-15s %6d %,12.0f %10.1f %10.1f %14.2f %16.2f%s%n", r.server(), r.connections(),
                    r.window().perSecond(), r.window().percentile(50) / 1e3, r.window().percentile(99) / 1e3,
                    r.cpuMicrosPerRoundTrip(), r.threadsMicrosPerRoundTrip(), syscalls ? "  " + r.syscallsPerRoundTrip() : ""));
        }
        return sb.toString();
    }

    private static String json(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT, "  {\"server\": \"%s\", \"connections\": %d, \"roundTripsPerSecond\": %.1f,"
                            + " \"p50Micros\": %.1f, \"p99Micros\": %.1f, \"serverCpuMicrosPerRoundTrip\": %.3f,"
                            + " \"serverJavaThreadsCpuMicrosPerRoundTrip\": %.3f,"
                            + " \"roundTrips\": %d, \"errors\": %d}%s%n",
                    r.server(), r.connections(), r.window().perSecond(), r.window().percentile(50) / 1e3,
                    r.window().percentile(99) / 1e3, r.cpuMicrosPerRoundTrip(), r.threadsMicrosPerRoundTrip(), r.window().roundTrips(),
                    r.window().errors(), i + 1 < rows.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }

    private static String allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "(unknown)";
    }
}
