package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Runs each seed program against real sockets on 127.0.0.1, on the backend under test. */
@org.junit.jupiter.api.Timeout(60)
class ExamplesTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);

    private static String echoOnce(int port, String text) throws Exception {
        try (TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
            byte[] out = text.getBytes(StandardCharsets.UTF_8);
            s.writeAll(out);
            ByteBuffer in = ByteBuffer.allocate(out.length);
            s.readFully(in);
            return new String(in.array(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void echoServerServesManyClientsAtOnceAndSoDoesTheThreadPerConnectionComparison() throws Exception {
        Hub.run(() -> {
            StreamServer fibers = EchoServer.start(0);
            try (ServerSocket threads = EchoServer.startThreadPerConnection(0)) {
                for (int port : new int[] {fibers.port(), threads.getLocalPort()}) {
                    List<Fiber<String>> clients = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        String text = "client " + i;
                        clients.add(Fiber.spawn(() -> echoOnce(port, text)));
                    }
                    for (int i = 0; i < 100; i++) {
                        assertEquals("client " + i, clients.get(i).get());
                    }
                }
            }
            fibers.stop(Duration.ofSeconds(1));
            return null;
        });
    }

    @Test
    void theMultiCoreEchoServerServesOnePortFromTwoHubs() throws Exception {
        try (LogCapture log = LogCapture.of(dev.weft.sockets.StreamServer.class);
                MultiCoreEchoServer server = MultiCoreEchoServer.start(null, 2, 0)) {
            assertEquals(1, log.count(), "it said how many hubs accept: " + log.messages());
            Hub.run(() -> {
                List<Fiber<String>> clients = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String text = "client " + i;
                    clients.add(Fiber.spawn(() -> echoOnce(server.port(), text)));
                }
                for (int i = 0; i < 50; i++) {
                    assertEquals("client " + i, clients.get(i).get());
                }
                return null;
            });
            String dump = server.dump();
            assertTrue(dump.contains(" 2 hub(s) of weft-") && dump.contains("  hub 1 (weft-"), dump);
        }
    }

    @Test
    void producerConsumerConsumesEveryItemExactlyOnce() throws Exception {
        List<String> log = Hub.run(() -> ProducerConsumer.run(50, 3, 4));
        Set<String> consumed = new HashSet<>();
        for (String line : log) {
            if (line.contains(" consumed ") && line.startsWith("consumer-")) {
                assertTrue(consumed.add(line.substring(line.lastIndexOf(' ') + 1)), "twice: " + line);
            }
        }
        assertEquals(50, consumed.size());
        assertEquals("total consumed 50", log.get(log.size() - 1));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("consumer-3")), "all consumers worked");

        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ProducerConsumer.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("total consumed 10"));
    }

    @Test
    void concurrentFetchTakesAboutOnePageTimeAndSequentialTheSum() throws Exception {
        Hub.run(() -> {
            WeftHttpServer server = SlowFastHttpServer.start(LOCAL, SlowFastHttpServer.SLOW);
            List<URI> urls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                urls.add(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/sleep?ms=300"));
            }
            ConcurrentFetch.Timed seq = ConcurrentFetch.sequential(urls);
            ConcurrentFetch.Timed con = ConcurrentFetch.concurrent(urls);
            assertEquals(seq.responses(), con.responses());
            assertEquals(new HttpGet.Response(200, "slept 300 ms\n"), con.responses().get(0));
            assertTrue(seq.elapsed().toMillis() >= 1_500, "sequential: " + seq.elapsed());
            assertTrue(con.elapsed().toMillis() >= 300 && con.elapsed().toMillis() < 1_200, "concurrent: " + con.elapsed());
            server.stop(0);
            return null;
        });
    }

    @Test
    void chatRoomsDeliverToMembersOnlyAndCloseRoomEmptiesIt() throws Exception {
        Hub.run(() -> {
            StreamServer server = ChatServer.start(0);
            try (TcpSocket a = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                 TcpSocket b = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                 TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                LineReader ar = new LineReader(a);
                LineReader br = new LineReader(b);
                LineReader cr = new LineReader(c);
                for (LineReader r : List.of(ar, br, cr)) {
                    assertTrue(r.readLine().startsWith("* welcome, user-"));
                }
                a.writeAll("NICK ann\nJOIN lobby\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("* you are ann", ar.readLine());
                assertEquals("* ann joined lobby", ar.readLine());
                b.writeAll("NICK bob\nJOIN lobby\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("* you are bob", br.readLine());
                assertEquals("* bob joined lobby", br.readLine());
                assertEquals("* bob joined lobby", ar.readLine());
                c.writeAll("NICK cy\nJOIN other\nSAY lobby sneaky\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("* you are cy", cr.readLine());
                assertEquals("* cy joined other", cr.readLine());
                assertEquals("! you are not in lobby", cr.readLine());

                a.writeAll("SAY lobby hello room\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("[lobby] ann: hello room", ar.readLine());
                assertEquals("[lobby] ann: hello room", br.readLine());

                b.writeAll("CLOSE lobby\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("* lobby closed", ar.readLine());
                assertEquals("* lobby closed", br.readLine());
                a.writeAll("SAY lobby anyone?\nQUIT\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("! you are not in lobby", ar.readLine());
                assertEquals("* bye", ar.readLine());
                assertEquals(null, ar.readLine(), "the server closed the connection");

                c.writeAll("SAY other just me\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("[other] cy: just me", cr.readLine());
            }
            server.stop(Duration.ofSeconds(1));
            return null;
        });
    }

    /** Connects, reads the welcome, sets the nick and joins {@code room}; returns the reader. */
    private static LineReader member(TcpSocket s, String nick, String room) throws Exception {
        LineReader r = new LineReader(s);
        assertTrue(r.readLine().startsWith("* welcome, user-"));
        s.writeAll(("NICK " + nick + "\nJOIN " + room + "\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("* you are " + nick, r.readLine());
        assertEquals("* " + nick + " joined " + room, r.readLine());
        return r;
    }

    @Test
    void aTwoThousandLineBurstReachesEveryMemberCompleteAndInOrder() throws Exception {
        List<String> uncaught = new ArrayList<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + ": " + t));
            StreamServer server = ChatServer.start(0);
            List<TcpSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    sockets.add(TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)));
                }
                List<LineReader> readers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    readers.add(member(sockets.get(i), "m" + i, "burst"));
                    for (int j = 0; j < i; j++) {
                        assertEquals("* m" + i + " joined burst", readers.get(j).readLine());
                    }
                }
                List<Fiber<Integer>> receivers = new ArrayList<>();
                for (int i = 0; i < 4; i++) { // the sender reads its own echo too
                    LineReader r = readers.get(i);
                    receivers.add(Fiber.spawn("member-" + i, () -> {
                        for (int n = 0; n < 2000; n++) {
                            String line = r.readLine();
                            assertEquals("[burst] m0: line " + n, line, "member line " + n);
                        }
                        return 2000;
                    }));
                }
                StringBuilder burst = new StringBuilder();
                for (int n = 0; n < 2000; n++) {
                    burst.append("SAY burst line ").append(n).append('\n');
                }
                sockets.get(0).writeAll(burst.toString().getBytes(StandardCharsets.UTF_8)); // one burst
                for (Fiber<Integer> f : receivers) {
                    assertEquals(2000, f.get());
                }
            } finally {
                sockets.forEach(TcpSocket::close);
                server.stop(Duration.ofSeconds(5));
            }
            return null;
        });
        assertEquals(List.of(), uncaught, "no failure on the server");
    }

    @Test
    void aMemberThatStopsReadingIsDisconnectedAndTheOthersGetEverything() throws Exception {
        List<String> uncaught = new ArrayList<>();
        List<String> logged = logOf(ChatServer.class, () -> {
            runEvictionScenario(uncaught);
            return null;
        });
        assertEquals(List.of("INFO sleeper disconnected: not reading (outbox full for 300 ms)"), logged);
    }

    private static void runEvictionScenario(List<String> uncaught) throws Exception {
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + ": " + t));
            StreamServer server = ChatServer.start(0, Duration.ofMillis(300));
            List<TcpSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    sockets.add(TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)));
                }
                LineReader sender = member(sockets.get(0), "talker", "r");
                LineReader reader = member(sockets.get(1), "reader", "r");
                assertEquals("* reader joined r", sender.readLine());
                member(sockets.get(2), "sleeper", "r"); // then never reads again
                assertEquals("* sleeper joined r", sender.readLine());
                assertEquals("* sleeper joined r", reader.readLine());
                String text = "x".repeat(2000); // 5,000 lines of 2 kB: more than the kernel buffers hold
                int lines = 5000;
                List<Fiber<Integer>> receivers = new ArrayList<>();
                for (LineReader r : List.of(sender, reader)) {
                    receivers.add(Fiber.spawn(() -> {
                        int got = 0;
                        boolean sleeperGone = false;
                        while (got < lines) {
                            String line = r.readLine();
                            if (line.equals("* sleeper was disconnected: not reading")) {
                                sleeperGone = true;
                            } else {
                                assertEquals("[r] talker: " + got + " " + text, line);
                                got++;
                            }
                        }
                        assertTrue(sleeperGone, "the room was told");
                        return got;
                    }));
                }
                Fiber<Void> talk = Fiber.spawn(() -> {
                    for (int n = 0; n < lines; n++) {
                        sockets.get(0).writeAll(("SAY r " + n + " " + text + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                });
                for (Fiber<Integer> f : receivers) {
                    assertEquals(lines, f.get());
                }
                talk.get();
            } finally {
                sockets.forEach(TcpSocket::close);
                server.stop(Duration.ofSeconds(5));
            }
            return null;
        });
        assertEquals(List.of(), uncaught, "no failure on the server");
    }

    /** Collects what {@code logger} logs (level and message) while {@code body} runs; the console stays quiet. */
    private static List<String> logOf(Class<?> logger, Callable<?> body) throws Exception {
        try (LogCapture log = LogCapture.of(logger)) {
            body.call();
            return log.records().stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
        }
    }

    /** Connects, has {@code conversation} with the server, then closes with SO_LINGER 0: a reset. Returns the client's address. */
    private static String resetAfter(int port, java.util.function.Consumer<TcpSocket> conversation) throws Exception {
        TcpSocket c = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5));
        conversation.accept(c);
        String me = "127.0.0.1:" + c.localAddress().getPort();
        c.setLinger(0);
        c.close();
        return me;
    }

    /** Issue 23: a client that resets is an ordinary disconnect, one INFO line naming it (not SEVERE with a trace, not "null"). */
    @Test
    void anEchoClientThatResetsIsOneInfoLineNamingIt() throws Exception {
        List<String> uncaught = new ArrayList<>();
        String[] client = new String[1];
        List<String> logged = logOf(EchoServer.class, () -> Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + ": " + t));
            StreamServer server = EchoServer.start(0);
            client[0] = resetAfter(server.port(), c -> assertEquals("hi", echoed(c, "hi")));
            assertEquals(0, server.stop(Duration.ofSeconds(5)), "the handler ended by itself at the reset");
            return null;
        }));
        assertEquals(List.of("INFO " + client[0] + " disconnected: Connection reset"), logged);
        assertEquals(List.of(), uncaught);
    }

    @Test
    void aChatClientThatResetsIsOneInfoLineAndTheRoomIsTold() throws Exception {
        List<String> uncaught = new ArrayList<>();
        String[] client = new String[1];
        List<String> logged = logOf(ChatServer.class, () -> Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + ": " + t));
            StreamServer server = ChatServer.start(0);
            try (TcpSocket stays = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                LineReader other = member(stays, "ann", "lobby");
                client[0] = resetAfter(server.port(), c -> {
                    try {
                        member(c, "bob", "lobby");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals("* bob joined lobby", other.readLine());
                assertEquals("* bob left lobby", other.readLine());
            }
            assertEquals(0, server.stop(Duration.ofSeconds(5)), "the handlers ended by themselves");
            return null;
        }));
        assertEquals(List.of("INFO " + client[0] + " disconnected: Connection reset"), logged);
        assertEquals(List.of(), uncaught);
    }

    private static String echoed(TcpSocket c, String text) {
        try {
            c.writeAll(text.getBytes(StandardCharsets.UTF_8));
            ByteBuffer in = ByteBuffer.allocate(text.length());
            c.readFully(in);
            return new String(in.array(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFastRequestIsNotDelayedByASlowOneInFlight() throws Exception {
        Hub.run(() -> {
            WeftHttpServer server = SlowFastHttpServer.start(LOCAL, SlowFastHttpServer.SLOW);
            URI slowUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/for");
            URI fastUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bar");
            long start = System.nanoTime();
            Fiber<HttpGet.Response> slow = Fiber.spawn("slow", () -> HttpGet.get(slowUri, Duration.ofSeconds(10)));
            Fiber.sleep(Duration.ofMillis(50)); // the slow request is in flight
            HttpGet.Response fast = HttpGet.get(fastUri, Duration.ofSeconds(10));
            long fastDoneMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(new HttpGet.Response(200, "bar\n"), fast);
            assertFalse(slow.isDone(), "the slow one is still sleeping");
            assertTrue(fastDoneMillis < 2_000, "fast answered after " + fastDoneMillis + " ms");
            assertEquals(new HttpGet.Response(200, "for\n"), slow.get());
            long slowMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(slowMillis >= 4_000, "slow took its 4 s: " + slowMillis + " ms");
            server.stop(0);
            return null;
        });
    }

    /**
     * The seed's check with clients nobody here wrote: the JDK's HttpClient keeps 100 {@code /for}
     * requests in flight (100 connections), and curl's own timer says {@code /bar} still answers in
     * under 50 ms. The server runs on a hub thread of its own, as {@code ./weft example http} does.
     */
    @Test
    void barAnswersWithinFiftyMillisecondsWhileAHundredForRequestsAreInFlight() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "SKIPPED: curl is not installed; install the Debian package 'curl'");
        WeftHttpServer server = SlowFastHttpServer.start(LOCAL, SlowFastHttpServer.SLOW);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            curlSeconds(base + "/bar"); // warm-up: class loading and JIT of the /bar path
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                slow.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/for")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(500); // all 100 reach the server and sleep
            List<Double> barMillis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                barMillis.add(curlSeconds(base + "/bar") * 1_000);
            }
            long sentAll = (System.nanoTime() - start) / 1_000_000;
            assertTrue(sentAll < 3_500, "the /bar requests were made while every /for was in flight (" + sentAll + " ms)");
            assertTrue(slow.stream().noneMatch(CompletableFuture::isDone), "no /for finished early");
            for (double ms : barMillis) {
                assertTrue(ms < 50, "/bar took " + ms + " ms with 100 /for in flight: " + barMillis);
            }
            for (CompletableFuture<HttpResponse<String>> f : slow) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("for\n", r.body());
            }
            long allMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(allMillis >= 4_000 && allMillis < 8_000, "100 × 4 s of sleeping took " + allMillis + " ms in all");
        } finally {
            server.stop(0);
        }
    }

    private static double curlSeconds(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String[] parts = out.trim().split(" ");
        assertEquals("200", parts[0], out);
        return Double.parseDouble(parts[1]);
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }
}
