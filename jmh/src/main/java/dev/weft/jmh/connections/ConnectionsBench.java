package dev.weft.jmh.connections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code ./weft bench connections}: N concurrent TCP connections on one hub. A server child JVM
 * ({@link ConnectionsServer}: one hub, a StreamServer, a fiber per connection echoing) and J client
 * child JVMs ({@link ConnectionsClient}: plain NIO, source addresses 127.0.0.2, .3, ...). It takes
 * the server's heap (after full GCs) and class histogram, opens all N connections (timed until the
 * server holds all N), does one verified echo round trip on every one, takes the heap and histogram
 * again, closes everything and checks that the server's connection count returns to 0. Before
 * all that, {@code --warmup} rounds (default 3) open, echo on and close all N, so that the accept,
 * read and park paths are compiled by C2: an interpreted or C1 frame takes more room in a fiber's stack
 * chunk (one round left the echo path partly uncompiled: 2,606 B per connection against 2,072 B after
 * three, same code).
 * Prints a table and writes JSON (default {@code jmh/target/connections.json}).
 *
 * <p>Heap per connection is the server's used heap after full GCs, with all N open and after one
 * echo on each, minus the same before opening, divided by N. The RSS growth beside it is only a hint:
 * the warm-up has already made the JVM commit most of the heap it needs.
 *
 * <p>{@code WEFT_CONNECTIONS_SERVER_OPTS} adds JVM options to the server JVM only (GC logging, a
 * deoptimization log).
 *
 * <p>Descriptor limits: every child starts through {@code bash -c 'ulimit -n ...; exec java ...'},
 * which raises its soft limit as far as the hard limit allows. If the server's limit cannot hold N
 * connections (plus {@value #FD_SLACK} for the JVM's own), it runs the largest N that fits and says
 * so in the output and the JSON. Bounded: after {@code --seconds} (default 180) the children are
 * killed and it fails. The children die with it (shutdown hook; clients and server end when their
 * standard input closes).
 *
 * <pre>
 * ConnectionsBench [--count N (100000)] [--backend epoll|nio|default|all or a list (default)]
 *                  [--clients J] [--seconds LIMIT (180)] [--in-flight CONNECTS (1024 in all)]
 *                  [--per-address CONNECTIONS (25000)] [--message BYTES (32)] [--buffer BYTES (64)]
 *                  [--warmup ROUNDS (3)] [--result FILE]
 * </pre>
 */
public final class ConnectionsBench {
    /** Descriptors a JVM needs besides the connections (jars, pipes, epoll, /proc reads). */
    static final int FD_SLACK = 300;
    /** The server's listen backlog (somaxconn here is 4096). */
    static final int BACKLOG = 4096;
    static final List<String> SERVER_JVM = List.of("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx2g");
    /** Clients: small heap, serial GC, C1 only: as little of the machine as possible. */
    static final List<String> CLIENT_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final List<Child> CHILDREN = new CopyOnWriteArrayList<>();
    /** Where a run reports its progress (a test captures it). */
    static volatile java.io.PrintStream out = System.out;

    private ConnectionsBench() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CHILDREN.forEach(Child::kill)));
        startTimeLimit(s.seconds());
        long hard = hardDescriptorLimit();
        System.out.printf(Locale.ROOT, "weft bench connections: %,d connections requested, backend %s, limit %d s,"
                        + " %d-byte messages, %d-byte handler buffer; hard descriptor limit per process: %s%n",
                s.count(), String.join(",", s.backends()), s.seconds(), s.message(), s.buffer(),
                hard < 0 ? "unlimited" : String.format(Locale.ROOT, "%,d", hard));
        List<ConnectionsResult> results = new ArrayList<>();
        for (String backend : s.backends()) {
            results.add(run(s, backend, hard));
        }
        StringBuilder table = new StringBuilder();
        for (ConnectionsResult r : results) {
            table.append(r.table()).append('\n');
        }
        System.out.println();
        System.out.print(table);
        Files.createDirectories(s.result().toAbsolutePath().getParent());
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            json.append(results.get(i).json()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        Files.writeString(s.result(), json.append("]\n"));
        System.out.println("connections JSON: " + s.result());
        boolean ok = results.stream().allMatch(ConnectionsResult::ok);
        System.exit(ok ? 0 : 1);
    }

    /**
     * One run on {@code backend} ("default" for the default selection): starts the server and the
     * clients, measures, closes, stops them. Blocks the calling thread; not bounded in time by
     * itself (main's time limit, or the caller's). Never throws for a failed run: the result says.
     */
    static ConnectionsResult run(Settings s, String backend, long hard) throws Exception {
        ConnectionsResult r = new ConnectionsResult();
        r.requested = s.count();
        r.warmupRounds = s.warmup();
        r.hardLimit = hard;
        long wantedServerFds = (long) s.count() + FD_SLACK;
        List<String> serverJvm = new ArrayList<>(SERVER_JVM);
        String extra = System.getenv("WEFT_CONNECTIONS_SERVER_OPTS"); // e.g. -Xlog:deoptimization=debug:file=...
        if (extra != null && !extra.isBlank()) {
            serverJvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        try (Child server = start("server", Math.min(wantedServerFds, hard < 0 ? Long.MAX_VALUE : hard), serverJvm,
                ConnectionsServer.class, List.of(backend, Integer.toString(s.buffer()), Integer.toString(BACKLOG)))) {
            String[] ready = server.expect("READY");
            int port = Integer.parseInt(ready[0]);
            r.serverFdLimit = Long.parseLong(ready[1]);
            r.backend = ready[2];
            r.count = s.count();
            if (r.serverFdLimit >= 0 && r.serverFdLimit < wantedServerFds) {
                r.count = (int) Math.max(1, r.serverFdLimit - FD_SLACK);
                r.limitedBy = String.format(Locale.ROOT, "requested %,d connections; the server may hold %,d:"
                                + " descriptor limit %,d (hard limit %,d, not raisable here)",
                        s.count(), r.count, r.serverFdLimit, hard);
                out.println();
                out.println("!!!!!!!! " + r.limitedBy.toUpperCase(Locale.ROOT) + " !!!!!!!!");
                out.println();
            }
            long perClientMax = (hard < 0 ? 1_000_000 : hard) - FD_SLACK;
            int clients = (int) Math.max(s.clients(), (r.count + perClientMax - 1) / perClientMax);
            if (s.clients() > 0 && clients > s.clients()) {
                out.printf("NOTE: --clients %d cannot hold %,d connections under the descriptor limit: %d clients%n",
                        s.clients(), r.count, clients);
            }
            r.clients = clients;
            out.printf(Locale.ROOT, "[%s] server pid %d, port %d, descriptor limit %,d; %,d connections from %d"
                            + " client JVM(s), source addresses 127.0.0.2-%d (%,d each at most)%n", r.backend, server.pid(),
                    port, r.serverFdLimit, r.count, clients, 2 + (r.count - 1) / s.perAddress(), s.perAddress());

            List<Child> cs = new ArrayList<>();
            try {
                int from = 0;
                for (int j = 0; j < clients; j++) {
                    int to = (int) ((long) r.count * (j + 1) / clients);
                    long fds = Math.min((long) (to - from) + FD_SLACK, hard < 0 ? Long.MAX_VALUE : hard);
                    Child c = start("client-" + j, fds, CLIENT_JVM, ConnectionsClient.class, List.of("127.0.0.1",
                            Integer.toString(port), Integer.toString(from), Integer.toString(to),
                            Integer.toString(s.perAddress()), Integer.toString(Math.max(1, s.inFlight() / clients)),
                            Integer.toString(s.message())));
                    cs.add(c);
                    from = to;
                }
                for (Child c : cs) {
                    c.expect("READY");
                }
                for (int w = 1; w <= s.warmup(); w++) {
                    out.printf(Locale.ROOT, "[%s] warm-up round %d of %d: open, echo, close %,d connections ...%n",
                            r.backend, w, s.warmup(), r.count);
                    for (String[] step : new String[][] {{"open", "OPENED"}, {"echo", "ECHOED"}, {"close", "CLOSED"}}) {
                        cs.forEach(c -> c.send(step[0]));
                        for (Child c : cs) {
                            c.expect(step[1]);
                        }
                    }
                    awaitCount(server, 0, "see every warm-up connection closed");
                }

                String[] c0 = count(server);
                r.fdsBaseline = Long.parseLong(c0[1]);
                r.heapBaseline = heap(server);
                r.rssBaseline = rssBytes(server.pid());
                ClassHistogram before = ClassHistogram.of(server.pid());

                out.printf(Locale.ROOT, "[%s] opening %,d connections ...%n", r.backend, r.count);
                long t0 = System.nanoTime();
                cs.forEach(c -> c.send("open"));
                long opened = 0;
                for (Child c : cs) {
                    String[] o = c.expect("OPENED");
                    opened += Long.parseLong(o[0]);
                    r.portFallbacks += Long.parseLong(o[2]);
                }
                r.clientsConnectedNanos = System.nanoTime() - t0;
                String[] held = awaitCount(server, r.count, "hold all " + r.count + " connections");
                r.openNanos = System.nanoTime() - t0;
                r.fdsOpen = Long.parseLong(held[1]);
                if (opened != r.count) {
                    throw new IllegalStateException("the clients opened " + opened + " connections, not " + r.count);
                }

                r.heapBeforeEcho = heap(server); // every fiber parked once, in its first read
                r.histogramBeforeEcho = ClassHistogram.of(server.pid()).growthSince(before);

                out.printf(Locale.ROOT, "[%s] one echo round trip on each ...%n", r.backend);
                long t1 = System.nanoTime();
                cs.forEach(c -> c.send("echo"));
                long echoed = 0;
                for (Child c : cs) {
                    echoed += Long.parseLong(c.expect("ECHOED")[0]);
                }
                r.echoNanos = System.nanoTime() - t1;
                r.echoed = echoed;
                if (echoed != r.count) {
                    throw new IllegalStateException("echoed on " + echoed + " connections, not " + r.count);
                }

                r.heapOpen = heap(server);
                r.rssOpen = rssBytes(server.pid());
                r.histogram = ClassHistogram.of(server.pid()).growthSince(before);
                r.serverPid = server.pid();

                out.printf(Locale.ROOT, "[%s] closing ...%n", r.backend);
                long t2 = System.nanoTime();
                cs.forEach(c -> c.send("close"));
                for (Child c : cs) {
                    c.expect("CLOSED");
                }
                String[] after = awaitCount(server, 0, "see every connection closed (a leak?)");
                r.closeNanos = System.nanoTime() - t2;
                r.fdsAfterClose = Long.parseLong(after[1]);
                r.closedAll = true;
            } finally {
                cs.forEach(Child::close);
                CHILDREN.removeAll(cs);
            }
            server.send("stop");
        } catch (Exception | Error e) {
            r.failure = e.toString();
            out.println();
            out.println("!!!!!!!! FAILED on " + backend + ": " + e + " !!!!!!!!");
        }
        CHILDREN.removeIf(c -> !c.isAlive());
        return r;
    }

    private static Child start(String name, long fdLimit, List<String> jvm, Class<?> main, List<String> args)
            throws IOException {
        Child c = Child.start(name, fdLimit, jvm, main, args);
        CHILDREN.add(c);
        return c;
    }

    /** The server's {@code COUNT} answer: connections, descriptors. */
    private static String[] count(Child server) throws IOException {
        server.send("count");
        return server.expect("COUNT");
    }

    private static long heap(Child server) throws IOException {
        server.send("heap");
        return Long.parseLong(server.expect("HEAP")[0]);
    }

    /** Polls the server every 10 ms until it holds {@code wanted} connections (the time limit bounds it). */
    private static String[] awaitCount(Child server, int wanted, String what) throws Exception {
        long lastReport = System.nanoTime();
        while (true) {
            String[] c = count(server);
            if (Integer.parseInt(c[0]) == wanted) {
                return c;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                out.printf("  waiting for the server to %s: it holds %s now%n", what, c[0]);
                lastReport = System.nanoTime();
            }
            Thread.sleep(10);
        }
    }

    /** Resident set size of process {@code pid}, from {@code /proc/<pid>/status}. */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** {@code ulimit -Hn} as bash sees it (what the children can raise their soft limit to); -1 if unlimited. */
    static long hardDescriptorLimit() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "ulimit -Hn").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out.equals("unlimited") ? -1 : Long.parseLong(out);
    }

    /** After {@code seconds}, kills every child and ends this JVM with status 1, loudly. */
    private static void startTimeLimit(int seconds) {
        Thread.ofPlatform().daemon(true).name("connections-time-limit").start(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println();
            System.out.println("!!!!!!!! TIME LIMIT OF " + seconds + " s PASSED: killing the children; FAILED !!!!!!!!");
            CHILDREN.forEach(Child::kill);
            Runtime.getRuntime().halt(1);
        });
    }
}
