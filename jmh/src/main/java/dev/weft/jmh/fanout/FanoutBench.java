package dev.weft.jmh.fanout;

import dev.weft.jmh.CommandLine;
import dev.weft.jmh.echo.ServerJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./weft bench fanout}: Socket.IO broadcast fan-out. Each server in turn (its own process,
 * pinned to CPU 0 when {@code bench.sh} set {@code WEFT_ECHO_PIN=1}) gets N clients of the official
 * {@code socket.io-client} in one Node process (pinned to CPU 1, {@link FanoutLoad}), all in one room,
 * and one more client that sends; each message the server broadcasts to the room. Closed loop by
 * default: a few messages in flight, the next sent when one reached every member, so every server
 * runs as fast as it (or the load client) can without queues growing without bound; {@code --rate}
 * sends at a fixed rate instead. Reports deliveries per second, server CPU per delivery (utime + stime
 * of the server process over the measured window / deliveries in it), p50/p99 delivery latency, and
 * whether every client got every message once (lost, duplicated, disconnected otherwise). JSON and a
 * table beside it.
 *
 * <p>Servers: {@code weft-<backend>} and {@code netty-socketio} ({@link FanoutServers}, in a JVM each;
 * {@code WEFT_ECHO_SERVER_OPTS} adds JVM options, e.g. a JFR recording), {@code node} (the reference
 * {@code socket.io} 4.8 server, {@code fanout-server.js}). Driver thread.
 */
public final class FanoutBench {
    static final List<String> KNOWN = List.of("weft-epoll", "weft-nio", "weft-io_uring", "netty-socketio", "node");

    private static final String USAGE = """
            usage: ./weft bench fanout [OPTIONS]   Socket.IO broadcast to one room: deliveries/s, server CPU per delivery, p50/p99
              --servers LIST   comma-separated (default weft-epoll,netty-socketio,node); known: %s
              --clients N      clients in the room (default 1000), plus one sender
              --seconds S      measured window (default 10)
              --warmup S       sending before the window (default 5)
              --window W       closed loop: messages in flight at most (default 8)
              --rate R         open loop instead: R messages a second, whatever the server does
              --loss-ms MS     a message not delivered to all after MS leaves the window, counted lost (default 2000)
              --result FILE    the JSON (default jmh/target/fanout-result.json; the table beside it, X-table.txt)
            Node and npm are needed (apt-get install nodejs npm); socket.io and socket.io-client 4.8 are installed
            into jmh/target/npm-fanout on first use. WEFT_ECHO_SERVER_OPTS adds JVM options to the Java servers.""".formatted(
            String.join(", ", KNOWN));

    /** What the command line asked for. */
    record Options(List<String> servers, FanoutLoad load, Path result) {
    }

    private FanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args, new CommandLine("fanout", USAGE));
        boolean pin = "1".equals(System.getenv("WEFT_ECHO_PIN")) && CommandLine.onPath("taskset");
        FanoutNode node = FanoutNode.install(Path.of(System.getProperty("weft.fanout.npm", "jmh/target/npm-fanout")));
        FanoutLoad load = o.load();
        System.out.printf(Locale.ROOT, "weft bench fanout: servers %s, %d clients in one room + 1 sender, %s, warm-up %d s,"
                        + " measured %d s; socket.io-client %s, socket.io %s, Node %s, netty-socketio 2.0.13 on Netty %s%n", o.servers(), load.clients(),
                load.rate() > 0 ? "open loop at " + load.rate() + " messages/s" : "closed loop, at most " + load.window() + " messages in flight",
                load.warmup(), load.seconds(), node.version("socket.io-client"), node.version("socket.io"), nodeVersion(), FanoutServers.nettyVersion());
        System.out.println(pin ? "pinning: each server to CPU 0, the Node load client to CPU 1 (taskset)"
                : "not pinned (fewer than 2 CPUs or no taskset): servers and load client share CPUs");
        List<FanoutResult> rows = new ArrayList<>();
        for (String server : o.servers()) {
            FanoutResult r = measure(node, server, load, pin);
            rows.add(r);
            System.out.printf(Locale.ROOT, "  %-15s %,10.0f deliveries/s  server CPU %6.2f µs/delivery  p50 %8.0f µs  p99 %8.0f µs"
                            + "  load client CPU %3.0f%%  %s%n", server, r.deliveredPerSecond(), r.serverCpuMicrosPerDelivery(),
                    r.client().p50Micros(), r.client().p99Micros(), r.clientCpuPercent(), r.deliveryVerdict());
        }
        String table = table(rows);
        System.out.println();
        System.out.print(table);
        Path result = o.result();
        Files.createDirectories(result.toAbsolutePath().getParent());
        Files.writeString(result, json(rows));
        Files.writeString(tableBeside(result), table);
        System.out.println("fanout JSON: " + result);
    }

    /** The options in {@code args}; a wrong one exits through {@code line} (status 2). */
    static Options parse(String[] args, CommandLine line) {
        List<String> servers = List.of("weft-epoll", "netty-socketio", "node");
        int clients = 1000;
        int seconds = 10;
        int warmup = 5;
        int window = 8;
        int rate = 0;
        int lossMillis = 2000;
        Path result = Path.of("jmh/target/fanout-result.json");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--servers" -> servers = List.of(line.value(args[i++], v).split(","));
                case "--clients" -> clients = line.number(args[i++], v);
                case "--seconds" -> seconds = line.number(args[i++], v);
                case "--warmup" -> warmup = line.number(args[i++], v);
                case "--window" -> window = line.number(args[i++], v);
                case "--rate" -> rate = line.number(args[i++], v);
                case "--loss-ms" -> lossMillis = line.number(args[i++], v);
                case "--result" -> result = Path.of(line.value(args[i++], v));
                case "-h", "--help" -> line.help();
                default -> line.unknown(args[i]);
            }
        }
        for (String server : servers) {
            if (!KNOWN.contains(server)) {
                line.fail("unknown server '" + server + "'; known: " + String.join(", ", KNOWN));
            }
        }
        if (clients < 1 || seconds < 1 || window < 1 || lossMillis < 1) {
            line.fail("--clients, --seconds, --window and --loss-ms must be at least 1");
        }
        if (warmup < 0 || rate < 0) {
            line.fail("--warmup and --rate cannot be negative");
        }
        return new Options(servers, new FanoutLoad(clients, warmup, seconds, window, rate, lossMillis), result);
    }

    private static FanoutResult measure(FanoutNode node, String server, FanoutLoad load, boolean pin) throws Exception {
        try (ServerJvm s = server.equals("node")
                ? ServerJvm.startProgram(node.node(FanoutNode.SERVER, pin ? "0" : null, List.of()).command(),
                        Map.of("NODE_PATH", node.modules().toString()), server)
                : ServerJvm.start(FanoutServerMain.class, server, null, pin)) {
            return load.run(node, server, s.port(), pin ? "1" : null, s::cpuNanos);
        }
    }

    /** Where the table goes: {@code X-result.json} or {@code X.json} gives {@code X-table.txt} beside it. */
    static Path tableBeside(Path result) {
        String name = result.getFileName().toString();
        String base = name.endsWith("-result.json") ? name.substring(0, name.length() - "-result.json".length())
                : name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return result.resolveSibling(base + "-table.txt");
    }

    static String table(List<FanoutResult> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-15s %7s %14s %12s %16s %9s %9s %7s  %s%n", "server",
                "clients", "deliveries/s", "server µs/d", "deliveries/CPU-s", "p50 ms", "p99 ms", "load %", "delivered"));
        for (FanoutResult r : rows) {
            sb.append(String.format(Locale.ROOT, "%-15s %7d %,14.0f %12.3f %,16.0f %9.1f %9.1f %7.0f  %s%n", r.server(),
                    r.client().clients(), r.deliveredPerSecond(), r.serverCpuMicrosPerDelivery(), r.deliveriesPerCpuSecond(),
                    r.client().p50Micros() / 1e3, r.client().p99Micros() / 1e3, r.clientCpuPercent(), r.deliveryVerdict()));
        }
        return sb.toString();
    }

    static String json(List<FanoutResult> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append("  ").append(rows.get(i).json()).append(i + 1 < rows.size() ? "," : "").append('\n');
        }
        return sb.append("]\n").toString();
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
