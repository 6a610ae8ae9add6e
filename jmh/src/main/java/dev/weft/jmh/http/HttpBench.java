package dev.weft.jmh.http;

import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import dev.weft.jmh.CommandLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./weft bench http}: wrk against a hello-world handler on each server in turn, at 10, 100
 * and 1,000 connections. Each server runs in its own JVM pinned to CPU 0 (when the machine has two
 * or more CPUs and {@code taskset} exists; {@code bench.sh} decides, sets {@code WEFT_ECHO_PIN=1}
 * and pins this JVM, hence wrk, to CPU 1). Per server JVM: one warm-up wrk run (15 s by default),
 * then for each connection count a 2 s settling run and a measured run (5 s); it
 * reports wrk's requests/s and p99 latency, and the server's CPU time per request, from {@code
 * /proc/<pid>/stat} (utime + stime) read before and after the measured run.
 *
 * <pre>
 * HttpBench [--servers weft-epoll,weft-nio,jdk-platform,jdk-virtual,netty] [--connections 10,100,1000]
 *           [--warmup SECONDS] [--measure SECONDS] [--pipeline N] [--result FILE]
 * </pre>
 * {@code --pipeline N} makes wrk send N pipelined requests per write (default 1: no pipelining).
 */
public final class HttpBench {
    private record Row(String server, int connections, double requestsPerSecond, long requests, double p99Micros,
                       double cpuMicrosPerRequest, String errors, String syscallsPerRequest) {
    }

    private static boolean syscalls;

    private static final String USAGE = """
            usage: ./weft bench http [OPTIONS]   wrk against a hello-world handler on each server: requests/s, p99, server CPU per request
              --servers LIST       comma-separated (default: weft on every backend here, jdk-platform, jdk-virtual, netty); known:
                                   %s
              --connections LIST   connection counts (default 10,100,1000)
              --warmup SECONDS     one warm-up wrk run per server JVM (default 15)
              --measure SECONDS    measured run per connection count (default 5)
              --pipeline N         requests wrk pipelines per write (default 1: none)
              --syscalls           count the server's system calls in the measured run (perf stat; needs root)
              --result FILE        the JSON (default jmh/target/http-result.json)""".formatted(
            String.join(", ", HelloServers.KNOWN));

    private HttpBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> servers = defaultServers();
        List<Integer> connections = List.of(10, 100, 1000);
        int warmup = 15;
        int measure = 5;
        int pipeline = 1;
        Path result = Path.of("jmh/target/http-result.json");
        CommandLine line = new CommandLine("http", USAGE);
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--servers" -> servers = List.of(line.value(args[i++], v).split(","));
                case "--connections" -> connections = line.numbers(args[i++], v);
                case "--warmup" -> warmup = line.number(args[i++], v);
                case "--measure" -> measure = line.number(args[i++], v);
                case "--pipeline" -> pipeline = line.number(args[i++], v);
                case "--syscalls" -> syscalls = true;
                case "--result" -> result = Path.of(line.value(args[i++], v));
                case "-h", "--help" -> line.help();
                default -> line.unknown(args[i]);
            }
        }
        for (String server : servers) {
            if (!HelloServers.KNOWN.contains(server)) {
                line.fail("unknown server '" + server + "'; known: " + String.join(", ", HelloServers.KNOWN));
            }
        }
        if (!CommandLine.onPath("wrk")) {
            System.err.println("weft bench http needs wrk: install the Debian package 'wrk' (apt-get install wrk)");
            System.exit(2);
        }
        boolean pin = "1".equals(System.getenv("WEFT_ECHO_PIN")) && CommandLine.onPath("taskset");
        Path script = null;
        if (pipeline > 1) {
            script = Files.createTempFile("weft-pipeline", ".lua");
            Files.writeString(script, "init = function(args)\n  local r = {}\n  for i = 1, " + pipeline
                    + " do r[i] = wrk.format(nil, \"/\") end\n  req = table.concat(r)\nend\n"
                    + "request = function() return req end\n");
            script.toFile().deleteOnExit();
        }
        System.out.printf("weft bench http: servers %s, connections %s, warm-up %d s, measured %d s, wrk -t1%s, hello world (13 bytes)%n",
                servers, connections, warmup, measure, pipeline > 1 ? ", " + pipeline + " pipelined requests per write" : "");
        System.out.println(pin ? "pinning: each server JVM to CPU 0 (taskset -c 0); wrk: CPU 1"
                : "not pinned (fewer than 2 CPUs or no taskset): servers and wrk share CPUs");
        List<Row> rows = new ArrayList<>();
        for (String server : servers) {
            for (Row row : measure(server, connections, warmup, measure, pin, script)) {
                rows.add(row);
                System.out.printf(Locale.ROOT, "  %-13s C=%-5d %,10.0f req/s  p99 %9.1f µs  server CPU %6.2f µs/req%s%s%n",
                        row.server(), row.connections(), row.requestsPerSecond(), row.p99Micros(),
                        row.cpuMicrosPerRequest(), syscalls ? "  syscalls/req " + row.syscallsPerRequest() : "",
                        row.errors().isEmpty() ? "" : "  " + row.errors());
            }
        }
        rows.sort(java.util.Comparator.comparingInt(Row::connections));
        String table = table(rows);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(result.toAbsolutePath().getParent());
        Files.writeString(result, json(rows));
        Files.writeString(result.resolveSibling("http-table.txt"), table);
        System.out.println("http JSON: " + result);
    }

    private static List<String> defaultServers() {
        List<String> servers = new ArrayList<>();
        for (HubBackend b : Backends.available()) {
            servers.add("weft-" + b.name());
        }
        servers.addAll(List.of("jdk-platform", "jdk-virtual", "netty"));
        return servers;
    }

    /**
     * One server JVM for every connection count: a warm-up of {@code warmup} seconds at the first
     * count (the JIT compiles the server's path once, not once per count), then per count a 2 s
     * settling run and the measured run.
     */
    private static List<Row> measure(String server, List<Integer> connectionCounts, int warmup, int measure, boolean pin,
                                     Path script) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (pin) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        String extra = System.getenv("WEFT_HTTP_SERVER_OPTS"); // e.g. a profiler agent, for the server JVMs only
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpServerMain.class.getName(), server));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith("PORT ")) {
                line = out.readLine();
            }
            if (line == null) {
                throw new IllegalStateException("HTTP server " + server + " did not start");
            }
            String url = "http://127.0.0.1:" + Integer.parseInt(line.substring(5).trim()) + "/";
            wrk(url, connectionCounts.get(0), warmup, script, 1);
            List<Row> rows = new ArrayList<>();
            for (int connections : connectionCounts) {
                wrk(url, connections, 2, script, 1);
                rows.add(measureOnce(p, server, url, connections, measure, script));
            }
            return rows;
        } finally {
            try (PrintStream in = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
                in.println("stop");
            } catch (RuntimeException ignored) {
                // already gone
            }
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static Row measureOnce(Process p, String server, String url, int connections, int measure, Path script)
            throws Exception {
        long before = cpuTicks(p.pid());
        dev.weft.jmh.echo.SyscallCount counting = syscalls ? dev.weft.jmh.echo.SyscallCount.start(p.pid()) : null;
        String report = wrk(url, connections, measure, script, 1);
        java.util.Map<String, Long> counted = counting == null ? java.util.Map.of() : counting.stop();
        long after = cpuTicks(p.pid());
        WrkRun run = WrkRun.parse(report);
        double cpuMicros = ticksToMicros(after - before);
        return new Row(server, connections, run.requestsPerSecond(), run.requests(), run.p99Micros(),
                cpuMicros / Math.max(1, run.requests()), run.errors(),
                syscalls ? dev.weft.jmh.echo.SyscallCount.perRoundTrip(counted, run.requests()) : "");
    }

    /** What one wrk run reported: requests/s, requests, p99 latency, socket errors and non-2xx answers ("" if none). */
    public record WrkRun(double requestsPerSecond, long requests, double p99Micros, String errors) {
        /** Reads wrk's {@code --latency} report. */
        public static WrkRun parse(String report) {
            long requests = Long.parseLong(find(report, "(\\d+) requests in"));
            double rps = Double.parseDouble(find(report, "Requests/sec:\\s+([\\d.]+)"));
            double p99 = micros(find(report, "\\s99%\\s+([\\d.]+\\w+)"));
            StringBuilder errors = new StringBuilder();
            Matcher se = Pattern.compile("Socket errors: (.*)").matcher(report);
            if (se.find()) {
                errors.append("socket errors: ").append(se.group(1).trim());
            }
            Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(report);
            if (non2xx.find()) {
                errors.append(errors.isEmpty() ? "" : "; ").append("non-2xx: ").append(non2xx.group(1));
            }
            return new WrkRun(rps, requests, p99, errors.toString());
        }
    }

    /**
     * Runs {@code wrk -t<threads> -c<connections> -d<seconds>s --latency} against {@code url} (with the
     * Lua {@code script}, or null) and returns its report. Blocks the caller.
     *
     * @throws IllegalStateException if wrk fails or does not end within {@code seconds + 30} s
     */
    public static String wrk(String url, int connections, int seconds, Path script, int threads) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "--timeout", "10s"));
        if (script != null) {
            cmd.addAll(List.of("-s", script.toString()));
        }
        cmd.add(url);
        Process w = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!w.waitFor(seconds + 30L, TimeUnit.SECONDS) || w.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + text);
        }
        return text;
    }

    /** utime + stime of a process, in clock ticks, from /proc/PID/stat (fields 14 and 15). */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long ticks;

    /** {@code ticks} of {@link #cpuTicks} in microseconds. */
    public static double ticksToMicros(long ticks) throws Exception {
        return ticks * (1e6 / clockTicksPerSecond());
    }

    private static long clockTicksPerSecond() throws Exception {
        if (ticks == 0) {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            ticks = s.isEmpty() ? 100 : Long.parseLong(s);
        }
        return ticks;
    }

    private static double micros(String v) {
        Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("latency " + v);
        }
        double x = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> x;
            case "ms" -> x * 1e3;
            case "s" -> x * 1e6;
            default -> x * 60e6;
        };
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no '" + regex + "' in wrk's report:\n" + text);
        }
        return m.group(1);
    }

    private static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-15s %6s %12s %10s %14s  %s%s%n",
                "server", "C", "req/s", "p99 µs", "server µs/req", "errors", syscalls ? "  syscalls/req" : ""));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-15s %6d %,12.0f %10.1f %14.2f  %s%s%n", r.server(), r.connections(),
                    r.requestsPerSecond(), r.p99Micros(), r.cpuMicrosPerRequest(), r.errors(),
                    syscalls ? "  " + r.syscallsPerRequest() : ""));
        }
        return sb.toString();
    }

    private static String json(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT, "  {\"server\": \"%s\", \"connections\": %d, \"requestsPerSecond\": %.1f,"
                            + " \"requests\": %d, \"p99Micros\": %.1f, \"serverCpuMicrosPerRequest\": %.3f, \"errors\": \"%s\"}%s%n",
                    r.server(), r.connections(), r.requestsPerSecond(), r.requests(), r.p99Micros(),
                    r.cpuMicrosPerRequest(), r.errors(), i + 1 < rows.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }
}
