package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.Processes;
import dev.weft.testkit.TestPki;
import dev.weft.testkit.Tools;
import dev.weft.tls.TlsClient;
import dev.weft.tls.TlsSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through the JDK's own {@code HttpsServer.create} (the Weft provider, its own hub thread) and
 * {@link HttpsConfigurator}, with a throw-away CA made by keytool: curl, the JDK's HttpClient, plain
 * HTTP and garbage sent to the TLS port, a client that never handshakes, and a configurator that
 * chooses the protocol per connection.
 */
@org.junit.jupiter.api.Timeout(120)
class HttpsServerTest {
    private HttpsServer server;
    private String base;
    /** What each handler saw: "protocol remotePort". */
    private final List<String> sessions = new CopyOnWriteArrayList<>();
    /** Client addresses HttpsConfigurator.configure was called with. */
    private final Set<Integer> configuredPorts = ConcurrentHashMap.newKeySet();
    @TempDir
    Path dir;

    @BeforeAll
    static void pki() throws Exception {
        TestPki.get(); // also warms the JDK's TLS stack off any hub
        // The JDK loads its month and day names on the first formatted Date header (a second on a loaded
        // machine): do it here, not inside the server's hub, where the watchdog would rightly complain.
        java.time.format.DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
                .format(java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
    }

    /** A configurator that records each call and, if {@code protocol} is not null, allows only that TLS version. */
    private HttpsConfigurator configurator(SSLContext context, String protocol) {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                configuredPorts.add(params.getClientAddress().getPort());
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                if (protocol != null) {
                    p.setProtocols(new String[] {protocol});
                }
                params.setSSLParameters(p);
            }
        };
    }

    private void start(HttpLimits limits, String protocol) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        server = limits == null ? HttpsServer.create(any, 0) : WeftHttpsServer.create(any, 0, limits);
        assertInstanceOf(WeftHttpsServer.class, server, "HttpsServer.create goes through the Weft provider");
        server.setHttpsConfigurator(configurator(TestPki.get().serverContext(), protocol));
        server.createContext("/session", ex -> {
            HttpsExchange https = assertInstanceOf(HttpsExchange.class, ex);
            String protocolSeen = https.getSSLSession().getProtocol();
            sessions.add(protocolSeen + " " + ex.getRemoteAddress().getPort());
            byte[] b = ("over " + protocolSeen + " " + https.getSSLSession().getCipherSuite()).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.createContext("/echo", HttpServerTest.ECHO);
        server.start();
        base = "https://localhost:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static List<String> curl(String... args) throws Exception {
        Tools.require("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert",
                TestPki.get().caPem.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void curlKeepsOneTlsConnectionForTwoRequestsAndPostsABody() throws Exception {
        start(null, null);
        Processes.Result two = Processes.run(curl(base + "/session", base + "/session"), 60);
        assertEquals(0, two.exit(), two.stderr());
        assertTrue(two.out().matches("over TLSv1\\.3 TLS_\\S+over TLSv1\\.3 TLS_\\S+"), two.out());
        assertEquals(2, sessions.size(), sessions.toString());
        assertEquals(sessions.get(0), sessions.get(1), "both requests came over one TLS connection: " + sessions);
        assertEquals(1, configuredPorts.size(), "configure ran once, for the one connection: " + configuredPorts);

        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Path file = dir.resolve("upload.bin");
        Path got = dir.resolve("download.bin");
        Files.write(file, data);
        Processes.Result post = Processes.run(curl("--data-binary", "@" + file, "-o", got.toString(),
                "-w", "%{http_code} %{http_version}", base + "/echo"), 60);
        assertEquals("200 1.1", post.out(), post.stderr());
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(got)), "the POST body came back intact over TLS");
    }

    @Test
    void theJdkHttpClientTrustingTheTestCaGetsAndPosts() throws Exception {
        start(null, null);
        try (HttpClient client = HttpClient.newBuilder().sslContext(TestPki.get().clientContext())
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(base + "/session")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode());
            assertTrue(get.body().startsWith("over TLSv1.3 "), get.body());
            assertEquals(HttpClient.Version.HTTP_1_1, get.version(), "no ALPN h2 offered by the server: HTTP/1.1");
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("a body over TLS")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertEquals("a body over TLS", post.body());
            assertEquals("POST", post.headers().firstValue("X-Method").orElse(null));
        }
    }

    @Test
    void theConfiguratorChoosesTheProtocolPerConnection() throws Exception {
        start(null, "TLSv1.2");
        Processes.Result r = Processes.run(curl("-w", " %{local_port}", base + "/session"), 60);
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.out().startsWith("over TLSv1.2 "), r.out());
        int curlPort = Integer.parseInt(r.out().substring(r.out().lastIndexOf(' ') + 1));
        assertEquals(List.of("TLSv1.2 " + curlPort), sessions);
        assertEquals(Set.of(curlPort), configuredPorts, "configure was given the client's address");
        Processes.Result refused = Processes.run(curl("--tlsv1.3", base + "/session"), 60);
        assertTrue(refused.exit() != 0, "a TLS 1.3-only client is refused by a TLS 1.2-only configurator: " + refused.out());
        assertEquals(1, sessions.size(), sessions.toString());
    }

    @Test
    void plainHttpAndGarbageAreRefusedAndTheServerKeepsServing() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http", Level.FINE)) {
            start(null, null);
            int port = server.getAddress().getPort();
            String answer = exchangeRaw(port, "GET /session HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.0 400 Bad Request\r\n"), answer);
            assertTrue(answer.endsWith("Client sent an HTTP request to an HTTPS server.\n"), answer);
            assertEquals("", exchangeRaw(port, "\u0016\u0003\u0001\u0000\u0005hello and then garbage"),
                    "garbage that looks like a TLS record is dropped with the connection");
            assertEquals(List.of(), sessions, "no request reached a handler");
            // logged after the connection is closed: the client may see the close first
            assertTrue(log.awaitMessage("is not speaking TLS", Duration.ofSeconds(10)), log.messages().toString());
            assertEquals(List.of(), log.warnings());

            Processes.Result after = Processes.run(curl(base + "/session"), 60);
            assertEquals(0, after.exit(), after.stderr());
            assertTrue(after.out().startsWith("over TLSv1.3 "), after.out());
        }
    }

    @Test
    void aClientThatNeverHandshakesIsClosedAfterTheHandshakeTimeout() throws Exception {
        start(HttpLimits.defaults().withRequestHeadTimeout(Duration.ofMillis(500)), null);
        long t0 = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", server.getAddress().getPort())) {
            s.setSoTimeout(30_000);
            assertEquals(-1, s.getInputStream().read(), "the server closed the silent connection");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 450 && ms < 20_000, "closed after " + ms + " ms, the limit is 500 ms");
        Processes.Result after = Processes.run(curl(base + "/session"), 60);
        assertEquals(0, after.exit(), after.stderr());
    }

    @Test
    void aConfiguratorThatThrowsClosesThatConnectionWithAWarningAndTheNextOneIsServed() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            start(null, null);
            SSLContext good = TestPki.get().serverContext();
            server.setHttpsConfigurator(new HttpsConfigurator(good) {
                @Override
                public void configure(HttpsParameters params) {
                    throw new IllegalStateException("no parameters for you");
                }
            });
            Processes.Result refused = Processes.run(curl(base + "/session"), 60);
            assertTrue(refused.exit() != 0, refused.out());
            List<String> warnings = log.awaitWarnings(1, java.time.Duration.ofSeconds(10)); // logged after curl gave up
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("TLS setup failed") && warnings.get(0).contains("no parameters"),
                    warnings.toString());
            server.setHttpsConfigurator(configurator(good, null));
            Processes.Result after = Processes.run(curl(base + "/session"), 60);
            assertEquals(0, after.exit(), after.stderr());
            assertEquals(1, sessions.size(), sessions.toString());
        }
    }

    @Test
    void aMalformedRequestOverTlsGets400AndACleanTlsClose() throws Exception {
        start(null, null);
        int port = server.getAddress().getPort();
        SSLContext clientContext = TestPki.get().clientContext();
        String answer = Hub.run(() -> {
            try (TlsSocket client = TlsClient.of(clientContext).connect("localhost", port)) {
                client.writeAll("GET /session HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                StringBuilder got = new StringBuilder();
                byte[] buf = new byte[4096];
                for (int n; (n = client.read(buf, 0, buf.length)) >= 0; ) { // -1 only after close_notify
                    got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                }
                return got.toString();
            }
        });
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
        assertEquals(List.of(), sessions);
    }

    @Test
    void startWithoutAConfiguratorSaysWhatIsMissing() throws Exception {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("setHttpsConfigurator"), e.getMessage());
    }

    @Test
    void onTheCallersHubAWeftTlsClientKeepsAliveAndStopClosesIdleAndHandshakingConnections() throws Exception {
        SSLContext serverContext = TestPki.get().serverContext();
        SSLContext clientContext = TestPki.get().clientContext();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        LogCapture log = LogCapture.of("dev.weft.http");
        String outcome;
        try (log) {
            outcome = Hub.run(() -> {
                Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
                WeftHttpsServer s = WeftHttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                s.setHttpsConfigurator(new HttpsConfigurator(serverContext));
                s.createContext("/ok", ex -> {
                    sessions.add(((HttpsExchange) ex).getSSLSession().getProtocol());
                    ex.sendResponseHeaders(200, 2);
                    ex.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
                    ex.close();
            });
            s.start();
            int port = s.getAddress().getPort();
            TlsSocket client = TlsClient.of(clientContext).connect("localhost", port);
            String get = "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n";
            client.writeAll((get + get).getBytes(StandardCharsets.US_ASCII)); // pipelined on one TLS connection
            StringBuilder answers = new StringBuilder();
            byte[] buf = new byte[4096];
            while (answers.toString().split("\r\n\r\nok", -1).length < 3) {
                int n = client.read(buf, 0, buf.length);
                assertTrue(n > 0, "the server closed early: " + answers);
                answers.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            TcpSocket silent = TcpSocket.connect("127.0.0.1", port); // connects, never handshakes
            Fiber.sleep(Duration.ofMillis(100));
            long t0 = System.nanoTime();
            s.stop(1);
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            int idleRead = client.read(buf, 0, buf.length);
            int silentRead;
            try {
                silentRead = silent.read(buf, 0, buf.length);
            } catch (java.io.IOException e) {
                silentRead = -2;
            }
            client.close();
            silent.close();
            return idleRead + " " + silentRead + " " + stopMs;
            });
        }
        assertEquals(List.of(), uncaught);
        assertEquals(List.of(), log.warnings(), "a handshake killed by stop is not a warning");
        assertEquals(List.of("TLSv1.3", "TLSv1.3"), sessions);
        String[] parts = outcome.split(" ");
        assertEquals("-1", parts[0], "the idle keep-alive connection got close_notify at stop: " + outcome);
        assertTrue(parts[1].equals("-1") || parts[1].equals("-2"), "the handshaking connection was closed: " + outcome);
        assertTrue(Long.parseLong(parts[2]) < 10_000, "stop(1) took " + parts[2] + " ms");
    }

    /** Sends {@code request} in plaintext, half-closes, and returns everything the server answers. */
    private static String exchangeRaw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }
}
