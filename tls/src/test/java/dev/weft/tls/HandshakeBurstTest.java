package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.Processes;
import dev.weft.testkit.TestPki;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A burst of new TLS connections on a server's hub (issue 28): the connections already established
 * keep being served while the burst's handshakes are computed, and where the handshake tasks run
 * follows the CPUs there are.
 */
@org.junit.jupiter.api.Timeout(120)
class HandshakeBurstTest {
    private static final int BURST = 50;

    @BeforeAll
    static void pki() throws Exception {
        TestPki.get();
    }

    /**
     * Fifty ClientHellos arrive together with a request on an established connection (the server's
     * hub is held while the client writes them, so it finds them all ready at once). Each hello
     * costs the server a handshake step computed on its hub (INLINE); the request must be answered
     * after about one of them, not after all fifty. Counted, not timed: when the answer arrives, how
     * many of the fifty have had the server's reply (counted while the server's hub stands still).
     */
    @Test
    void anEstablishedConnectionIsAnsweredBetweenTheStepsOfABurstNotAfterIt() throws Exception {
        List<byte[]> hellos = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            hellos.add(TestPki.clientHello());
        }
        AtomicInteger accepted = new AtomicInteger();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Hub> serverHubs = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CompletableFuture<Void> answering = new CompletableFuture<>();
        CountDownLatch counted = new CountDownLatch(1);
        Thread serverHub = Thread.ofPlatform().name("burst-server-hub").start(() -> {
            try {
                Hub.run(() -> {
                    serverHubs.complete(Hub.current());
                    TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).handshakeTasks(HandshakeTasks.INLINE)
                            .onHandshakeFailure((peer, e) -> { }).build(); // the raw hellos never finish
                    ConnectionHandler echo = tls.handler(s -> {
                        ByteBuffer buf = ByteBuffer.allocate(256);
                        while (s.read(buf.clear()) > 0) {
                            buf.flip();
                            if (new String(buf.array(), 0, buf.limit(), StandardCharsets.US_ASCII).contains("burst")) {
                                // The hub stands still while the client counts the handshake replies sent so far.
                                answering.complete(null);
                                counted.await(10, TimeUnit.SECONDS);
                            }
                            s.writeAll(buf);
                        }
                    });
                    StreamServer server = StreamServer.builder(tcp -> {
                        accepted.incrementAndGet();
                        echo.handle(tcp);
                    }).start();
                    port.complete(server.port());
                    Fiber.await(stop);
                    server.stop(Duration.ZERO);
                    return null;
                });
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        int answeredFirst;
        try {
            answeredFirst = Hub.run(() -> {
                int p = port.get(30, TimeUnit.SECONDS);
                try (TlsSocket established = TlsClient.of(TestPki.get().clientContext()).connect("localhost", p,
                        Duration.ofSeconds(10))) {
                    roundTrip(established, "warm");
                    List<TcpSocket> raw = new ArrayList<>();
                    try {
                        for (int i = 0; i < BURST; i++) {
                            raw.add(TcpSocket.connect("127.0.0.1", p, Duration.ofSeconds(10)));
                        }
                        try (Timeout t = Timeout.after(Duration.ofSeconds(30))) {
                            while (accepted.get() < BURST + 1) {
                                Fiber.sleep(Duration.ofMillis(1)); // every connection waits for its hello
                            }
                        }
                        // The server's hub is held while everything is written, so that it finds the fifty
                        // hellos and the request ready together, however the two hub threads are scheduled.
                        CountDownLatch written = new CountDownLatch(1);
                        CompletableFuture<Void> held = new CompletableFuture<>();
                        serverHubs.get().execute(() -> {
                            held.complete(null);
                            try {
                                written.await(10, TimeUnit.SECONDS); // blocks the server's hub thread on purpose
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        Fiber.await(held);
                        byte[] request = "during the burst".getBytes(StandardCharsets.US_ASCII);
                        try {
                            for (int i = 0; i < BURST; i++) {
                                raw.get(i).writeAll(hellos.get(i));
                            }
                            established.writeAll(request);
                        } finally {
                            written.countDown();
                        }
                        int replied = 0;
                        try {
                            try (Timeout t = Timeout.after(Duration.ofSeconds(30))) {
                                Fiber.await(answering); // the server is about to answer the request
                            }
                            for (TcpSocket s : raw) {
                                s.setTimeout(Duration.ZERO); // what has arrived by now, without waiting
                                try {
                                    replied += s.read(ByteBuffer.allocate(1)) > 0 ? 1 : 0;
                                } catch (SocketTimeoutException notYet) {
                                    // no reply yet
                                }
                            }
                        } finally {
                            counted.countDown();
                        }
                        ByteBuffer echoed = ByteBuffer.allocate(request.length);
                        established.readFully(echoed);
                        assertEquals("during the burst", new String(echoed.array(), StandardCharsets.US_ASCII));
                        return replied;
                    } finally {
                        raw.forEach(TcpSocket::close);
                    }
                }
            });
        } finally {
            stop.complete(null);
            serverHub.join(30_000);
        }
        assertTrue(answeredFirst < BURST / 2, "the established connection was answered after " + answeredFirst + " of "
                + BURST + " handshake replies (one step per loop turn: expected a few at most)");
    }

    /**
     * A client that sends its ClientHello and then reads nothing must not hold the hub's other
     * handshakes back while the server's flight waits for it. The flight is made larger than what
     * the sockets can buffer (TLS 1.2 asking for an optional client certificate names every CA of
     * the JDK's trust store, about 12 KB; the server's send buffer and the client's receive buffer at
     * their minimum), so the server's write of it waits; meanwhile another client's handshake must
     * complete. Without giving the turn up, it waited for the first one's handshake timeout.
     */
    @Test
    void aPeerThatDoesNotReadItsFlightDoesNotHoldOtherHandshakesBack() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Thread serverHub = Thread.ofPlatform().name("slow-reader-server-hub").start(() -> {
            try {
                Hub.run(() -> {
                    TlsServer tls = TlsServer.builder(askingForAnyCaContext()).protocols("TLSv1.2")
                            .parameters((params, name, peer) -> params.setWantClientAuth(true))
                            .handshakeTimeout(Duration.ofSeconds(60)).handshakeTasks(HandshakeTasks.INLINE)
                            .onHandshakeFailure((peer, e) -> { }).build(); // the slow reader is closed unfinished
                    ConnectionHandler echo = tls.handler(s -> {
                        ByteBuffer buf = ByteBuffer.allocate(256);
                        while (s.read(buf.clear()) > 0) {
                            s.writeAll(buf.flip());
                        }
                    });
                    StreamServer server = StreamServer.builder(tcp -> {
                        tcp.setBufferSizes(65536, 1); // the kernel's minimum send buffer
                        echo.handle(tcp);
                    }).start();
                    port.complete(server.port());
                    Fiber.await(stop);
                    server.stop(Duration.ZERO);
                    return null;
                });
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        try (java.net.Socket slow = new java.net.Socket()) {
            int p = port.get(30, TimeUnit.SECONDS);
            slow.setReceiveBufferSize(1); // the kernel's minimum: a small window, fixed before the connect
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", p), 10_000);
            slow.getOutputStream().write(TestPki.clientHello());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (slow.getInputStream().available() == 0) { // the first bytes of the flight: the rest waits
                assertTrue(System.nanoTime() < deadline, "no part of the server's flight arrived in 30 s");
                Thread.sleep(1);
            }
            Hub.run(() -> {
                try (TlsSocket other = TlsClient.of(TestPki.get().clientContext()).connect("localhost", p,
                        Duration.ofSeconds(10))) {
                    roundTrip(other, "while a peer does not read");
                }
                return null;
            });
        } finally {
            stop.complete(null);
            serverHub.join(30_000);
        }
    }

    /** The test server's key; trusts every CA of the JDK's trust store, so a TLS 1.2 CertificateRequest names them all. */
    private static javax.net.ssl.SSLContext askingForAnyCaContext() throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(TestPki.get().localhostP12)) {
            keys.load(in, TestPki.PASSWORD.toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, TestPki.PASSWORD.toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((java.security.KeyStore) null);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void roundTrip(TlsSocket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        s.writeAll(sent);
        ByteBuffer back = ByteBuffer.allocate(sent.length);
        s.readFully(back);
        assertEquals(text, new String(back.array(), StandardCharsets.US_ASCII));
    }

    /**
     * ADAPTIVE moves slow tasks off the hub only when a CPU is spare: in a JVM given one CPU it never
     * offloads (a worker would only take the hub's CPU); given two it does while the tasks are slow
     * (a fresh JVM's first handshakes are). Each in a child JVM ({@code -XX:ActiveProcessorCount}).
     */
    @Test
    void adaptiveOffloadsOnlyWhenACpuIsSpare() throws Exception {
        assertEquals("inline>0 offloaded=0 workers=0", AdaptiveTasksMain.runIn(1));
        String two = AdaptiveTasksMain.runIn(2);
        assertTrue(two.matches("inline>0 offloaded>0 workers=1"), two);
    }

    /** The child JVM of {@link #adaptiveOffloadsOnlyWhenACpuIsSpare}: 30 handshakes, then what ran where. */
    static final class AdaptiveTasksMain {
        public static void main(String[] args) throws Exception {
            TestPki.get();
            String result = Hub.run(() -> {
                TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build(); // ADAPTIVE, the default
                StreamServer server = StreamServer.builder(tls.handler(s -> s.read(ByteBuffer.allocate(1)))).start();
                TlsClient client = TlsClient.builder(TestPki.get().clientContext()).handshakeTasks(HandshakeTasks.INLINE).build();
                for (int i = 0; i < 30; i++) {
                    client.connect("localhost", server.port(), Duration.ofSeconds(30)).close();
                }
                server.stop(Duration.ofSeconds(5));
                long workers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("weft-tls-handshake-")).count();
                return "inline" + (tls.tasks().inlineCount() > 0 ? ">0" : "=0") + " offloaded"
                        + (tls.tasks().offloadedCount() > 0 ? ">0" : "=0") + " workers=" + workers;
            });
            System.out.println("RESULT " + result);
        }

        /** Runs {@link #main} in a JVM that sees {@code cpus} CPUs; returns its result line. */
        static String runIn(int cpus) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:ActiveProcessorCount=" + cpus, "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                    "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                    "-Dweft.watchdog.ms=0", "-cp", System.getProperty("java.class.path"), AdaptiveTasksMain.class.getName()));
            Processes.Result r = Processes.run(cmd, null, 90);
            for (String line : r.out().split("\n")) {
                if (line.startsWith("RESULT ")) {
                    return line.substring(7);
                }
            }
            throw new AssertionError("the child JVM (" + cpus + " CPU) said: " + r.out() + r.stderr());
        }
    }
}
