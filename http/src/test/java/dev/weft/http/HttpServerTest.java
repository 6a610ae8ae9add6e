package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The server's HTTP/1.1 behaviour, with raw sockets as clients, on the backend under test. */
@org.junit.jupiter.api.Timeout(60)
class HttpServerTest {
    interface Body {
        void run(WeftHttpServer server) throws Exception;
    }

    /** Echoes the request body; answers with a fixed length. */
    static final HttpHandler ECHO = ex -> {
        byte[] body = ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    };

    static void serve(HttpLimits limits, Body body) throws Exception {
        List<Throwable> uncaught = new ArrayList<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
            WeftHttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, limits);
            server.createContext("/echo", ECHO);
            server.createContext("/hello", ex -> {
                byte[] b = "hello".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            });
            server.start();
            try {
                body.run(server);
            } finally {
                server.stop(0);
            }
        });
        assertEquals(List.of(), uncaught, "nothing escaped to the hub");
    }

    static void serve(Body body) throws Exception {
        serve(HttpLimits.defaults(), body);
    }

    static TcpSocket connect(WeftHttpServer server) throws IOException {
        TcpSocket s = TcpSocket.connect("127.0.0.1", server.getAddress().getPort(), Duration.ofSeconds(5));
        s.setTimeout(Duration.ofSeconds(10));
        return s;
    }

    static void send(TcpSocket s, String text) throws IOException {
        s.writeAll(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepAliveAndPipelinedRequestsAnswerInOrderOnOneConnection() throws Exception {
        serve(server -> {
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                        + "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nxy");
                assertEquals("hello", r.next().body());
                assertEquals("abc", r.next().body());
                assertEquals(404, r.next().status());
                RawResponse last = r.next();
                assertEquals("xy", last.body());
                assertEquals("POST", last.header("X-Method"));
                assertNull(last.header("Connection"));
                Fiber.sleep(50);
                send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                RawResponse again = r.next();
                assertEquals(200, again.status());
                assertTrue(again.header("Date").endsWith(" GMT"), again.header("Date"));
                send(s, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals("close", r.next().header("Connection"));
                assertTrue(r.closedByServer());
            }
        });
    }

    @Test
    void aPipelinedResponseIsNotHeldBackByTheNextRequestsSlowHandler() throws Exception {
        serve(server -> {
            server.createContext("/slow", ex -> {
                Fiber.sleep(1_000);
                ex.sendResponseHeaders(200, -1);
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                long start = System.nanoTime();
                send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("hello", r.next().body());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 500, "the first response waited " + ms + " ms for the second handler");
                assertEquals(200, r.next().status());
            }
        });
    }

    @Test
    void chunkedRequestBodiesAreDecodedAndLengthZeroMeansAChunkedResponse() throws Exception {
        serve(server -> {
            server.createContext("/stream", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body, 0, 3);
                    out.flush();
                    out.write(body, 3, body.length - 3);
                }
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n");
                RawResponse resp = r.next();
                assertEquals("chunked", resp.header("Transfer-Encoding"));
                assertEquals("hello, world", resp.body());
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
                assertEquals("abc", r.next().body(), "the connection survived the chunked exchange");
            }
        });
    }

    @Test
    void headGetsTheHeadOfGetWithoutABody() throws Exception {
        serve(server -> {
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                RawResponse head = r.next(true);
                assertEquals(200, head.status());
                assertEquals("5", head.header("Content-Length"));
                assertEquals("hello", r.next().body(), "no body bytes were sent for HEAD");
            }
        });
    }

    @Test
    void expectContinueIsAnsweredWhenTheHandlerReadsTheBody() throws Exception {
        serve(server -> {
            server.createContext("/refuse", ex -> {
                ex.sendResponseHeaders(403, -1);
                ex.close();
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
                assertEquals(100, r.next(true).status());
                send(s, "data");
                assertEquals("data", r.next().body());
            }
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "POST /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
                RawResponse refused = r.next();
                assertEquals(403, refused.status(), "no 100 Continue: the body is not wanted");
                assertEquals("close", refused.header("Connection"));
                assertTrue(r.closedByServer());
            }
        });
    }

    @Test
    void http10ClientsGetCloseUnlessTheyAskForKeepAliveAndAnUnknownLengthEndsAtClose() throws Exception {
        serve(server -> {
            server.createContext("/unknown-length", ex -> {
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("until close".getBytes(StandardCharsets.US_ASCII));
                }
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET /hello HTTP/1.0\r\n\r\n");
                RawResponse resp = r.next();
                assertEquals("hello", resp.body());
                assertEquals("close", resp.header("Connection"));
                assertTrue(r.closedByServer());
            }
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertEquals("keep-alive", r.next().header("Connection"));
                send(s, "GET /unknown-length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawResponse resp = r.next();
                assertNull(resp.header("Transfer-Encoding"));
                assertEquals("until close", resp.body());
            }
        });
    }

    @Test
    void limitsAnswer413And414And431AndCloseTheConnection() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxBodyBytes(10).withMaxRequestLineBytes(100)
                .withMaxHeaderBytes(300).withMaxHeaderCount(5);
        serve(limits, server -> {
            String big = "x".repeat(200);
            String[][] cases = {
                {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", "413"},
                {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", "413"},
                {"GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n", "414"},
                {"GET / HTTP/1.1\r\nHost: x\r\nA: " + big + "\r\nB: " + big + "\r\n\r\n", "431"},
                {"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", "431"},
                {"GET / HTTP/1.1\r\nHost: x\r\nA: " + "y".repeat(500), "431"},
            };
            for (String[] c : cases) {
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, c[0]);
                    RawResponse resp = r.next();
                    assertEquals(Integer.parseInt(c[1]), resp.status(), c[0]);
                    assertEquals("close", resp.header("Connection"));
                    assertTrue(r.closedByServer());
                }
            }
        });
    }

    @Test
    void aSlowRequestHeadGets408AndAnIdleConnectionIsClosed() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withRequestHeadTimeout(Duration.ofMillis(300))
                .withIdleTimeout(Duration.ofMillis(400));
        serve(limits, server -> {
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                long start = System.nanoTime();
                send(s, "GET /hello HTTP/1.1\r\n");
                RawResponse[] got = new RawResponse[1];
                Fiber<Void> reader = Fiber.spawn(() -> {
                    got[0] = r.next();
                });
                for (int i = 0; i < 20 && !reader.isDone(); i++) {
                    Fiber.sleep(100);
                    send(s, "X-Slow: " + i + "\r\n");  // a slowloris: a header line every 100 ms
                }
                reader.get();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(408, got[0].status());
                assertTrue(ms >= 290 && ms < 3_000, "408 after " + ms + " ms");
            }
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(200, r.next().status());
                long start = System.nanoTime();
                assertTrue(r.closedByServer());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 350 && ms < 3_000, "closed after " + ms + " ms idle");
            }
        });
    }

    @Test
    void maxConnectionsMakesTheNextConnectionWait() throws Exception {
        serve(HttpLimits.defaults().withMaxConnections(1), server -> {
            try (TcpSocket first = connect(server); TcpSocket second = connect(server)) {
                RawResponse.Reader r1 = new RawResponse.Reader(first);
                RawResponse.Reader r2 = new RawResponse.Reader(second);
                send(first, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(200, r1.next().status());
                send(second, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Fiber<RawResponse> waiting = Fiber.spawn(() -> r2.next());
                Fiber.sleep(300);
                assertFalse(waiting.isDone(), "the second connection waits while the first is open");
                first.close();
                assertEquals(200, waiting.get(Duration.ofSeconds(5)).status());
            }
        });
    }

    @Test
    void stopClosesIdleConnectionsLetsExchangesFinishThenKillsTheRest() throws Exception {
        Hub.run(() -> {
            WeftHttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            boolean[] unwound = {false};
            server.createContext("/slow", ex -> {
                Fiber.sleep(300);
                ex.sendResponseHeaders(200, 4);
                ex.getResponseBody().write("slow".getBytes(StandardCharsets.US_ASCII));
                ex.close();
            });
            server.createContext("/forever", ex -> {
                try {
                    Fiber.sleep(60_000);
                } finally {
                    unwound[0] = true;
                }
            });
            server.start();
            TcpSocket idle = connect(server);
            TcpSocket busy = connect(server);
            RawResponse.Reader ri = new RawResponse.Reader(idle);
            RawResponse.Reader rb = new RawResponse.Reader(busy);
            send(idle, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, ri.next().status());
            send(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            Fiber.sleep(50);
            long start = System.nanoTime();
            Fiber<Void> stopper = Fiber.spawn(() -> server.stop(10));
            assertTrue(ri.closedByServer(), "the idle connection is closed at once");
            assertTrue((System.nanoTime() - start) / 1_000_000 < 200);
            RawResponse finished = rb.next();
            assertEquals("slow", finished.body(), "the exchange in flight finished");
            assertEquals("close", finished.header("Connection"));
            stopper.join();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 200 && ms < 3_000, "stop took " + ms + " ms");
            idle.close();
            busy.close();

            WeftHttpServer second = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            second.createContext("/forever", server.createContext("/unused").getServer() == server
                    ? (HttpHandler) ex -> {
                        try {
                            Fiber.sleep(60_000);
                        } finally {
                            unwound[0] = true;
                        }
                    } : null);
            second.start();
            try (TcpSocket s = connect(second)) {
                send(s, "GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
                Fiber.sleep(50);
                long t0 = System.nanoTime();
                second.stop(0);
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_000);
                assertTrue(unwound[0], "the killed handler ran its finally block");
                assertTrue(new RawResponse.Reader(s).closedByServer());
            }
        });
    }

    @Test
    void theProviderServesExistingCodeFromAnOrdinaryThreadToTheJdkHttpClient() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        assertTrue(server instanceof WeftHttpServer, "the service file chose Weft: " + server.getClass());
        server.createContext("/echo", ECHO);
        server.createContext("/who", ex -> {
            String hub = Thread.currentThread().getName();
            byte[] b = hub.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.setExecutor(null);
        server.start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpResponse<String> who = client.send(HttpRequest.newBuilder(URI.create(base + "/who")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(who.body().startsWith("weft-http"), who.body());
            byte[] big = new byte[300_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, echoed.statusCode());
            assertTrue(java.util.Arrays.equals(big, echoed.body()));
        } finally {
            server.stop(1);
        }
    }

    @Test
    void aHandlerMayStopItsOwnServerAndStillFinishesItsExchange() throws Exception {
        HttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stop", ex -> {
            ex.getHttpContext().getServer().stop(5);
            byte[] b = "stopped".getBytes(StandardCharsets.US_ASCII);
            Fiber.sleep(100); // still alive after stop returned
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stop")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("stopped", r.body());
        server.stop(0); // a second stop returns at once
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                Thread.sleep(20); // the listener closes as stop begins; the hub thread ends after the exchange
            } catch (java.net.ConnectException refused) {
                return;
            }
        }
        throw new AssertionError("the server still accepts connections after stop");
    }

    @Test
    void filtersAuthenticatorAttributesAndPrincipal() throws Exception {
        serve(server -> {
            var ctx = server.createContext("/secret", ex -> {
                byte[] b = (ex.getPrincipal().getUsername() + " " + ex.getAttribute("filtered") + " "
                        + ex.getAttribute("shared")).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            ctx.getAttributes().put("shared", "context-wide");
            ctx.getFilters().add(new Filter() {
                @Override
                public void doFilter(HttpExchange ex, Chain chain) throws IOException {
                    ex.setAttribute("filtered", "yes");
                    ex.getResponseHeaders().add("X-Filter", "ran");
                    chain.doFilter(ex);
                }

                @Override
                public String description() {
                    return "test filter";
                }
            });
            ctx.setAuthenticator(new BasicAuthenticator("realm") {
                @Override
                public boolean checkCredentials(String user, String password) {
                    return user.equals("ann") && password.equals("pw");
                }
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n");
                RawResponse denied = r.next();
                assertEquals(401, denied.status());
                assertTrue(denied.header("WWW-Authenticate").contains("realm"));
                String auth = Base64.getEncoder().encodeToString("ann:pw".getBytes(StandardCharsets.UTF_8));
                send(s, "GET /secret/x HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + auth + "\r\n\r\n");
                RawResponse ok = r.next();
                assertEquals("ann yes context-wide", ok.body());
                assertEquals("ran", ok.header("X-Filter"));
                send(s, "GET /secretive HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(401, r.next().status(), "/secret serves /secretive (a string prefix, as the JDK's server)"
                        + " and its authenticator guards it");
            }
            server.removeContext("/secret");
            try (TcpSocket s = connect(server)) {
                send(s, "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(404, new RawResponse.Reader(s).next().status());
            }
        });
    }

    @Test
    void handlerMistakesGet500OrACloseAndAreReported() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            serve(server -> {
                server.createContext("/throws", ex -> {
                    throw new IllegalStateException("boom in handler");
                });
                server.createContext("/silent", ex -> { });
                server.createContext("/short", ex -> {
                    ex.sendResponseHeaders(200, 10);
                    ex.getResponseBody().write(new byte[4]);
                    ex.close();
                });
                AtomicInteger tooMany = new AtomicInteger();
                server.createContext("/too-many", ex -> {
                    ex.sendResponseHeaders(200, 2);
                    try {
                        ex.getResponseBody().write(new byte[3]);
                    } catch (IOException expected) {
                        tooMany.incrementAndGet();
                        ex.getResponseBody().write(new byte[2]);
                    }
                    ex.close();
                });
                for (String path : new String[] {"/throws", "/silent"}) {
                    try (TcpSocket s = connect(server)) {
                        RawResponse.Reader r = new RawResponse.Reader(s);
                        send(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                        RawResponse resp = r.next();
                        assertEquals(500, resp.status(), path);
                        assertEquals("close", resp.header("Connection"));
                        assertTrue(r.closedByServer());
                    }
                }
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, "GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals("10", r.next(true).header("Content-Length"));
                    byte[] rest = new byte[4];
                    for (int i = 0; i < 4; i++) {
                        rest[i] = (byte) r.read();
                    }
                    assertTrue(r.closedByServer(), "a short response body closes the connection");
                }
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, "GET /too-many HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(2, r.next().body().length());
                    assertEquals("hello", r.next().body());
                    assertEquals(1, tooMany.get());
                }
            });
            List<String> warnings = log.warnings();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("/throws") && warnings.get(0).contains("boom in handler"), warnings.get(0));
            assertTrue(warnings.get(1).contains("without calling sendResponseHeaders"), warnings.get(1));
        }
    }

    @Test
    void aTimeoutMidBodyAndAClientVanishingMidResponseCostOnlyTheirOwnConnections() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            serve(server -> {
                boolean[] timedOut = {false};
                server.createContext("/impatient", ex -> {
                    try (dev.weft.fibers.Timeout t = dev.weft.fibers.Timeout.after(Duration.ofMillis(200))) {
                        ex.getRequestBody().readAllBytes();
                    } catch (dev.weft.fibers.FiberTimeoutException e) {
                        timedOut[0] = true;
                        ex.sendResponseHeaders(408, -1);
                    }
                });
                int[] writeFailures = {0};
                server.createContext("/big", ex -> {
                    byte[] chunk = new byte[64 * 1024];
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 1_000; i++) {
                            out.write(chunk);
                        }
                    } catch (IOException gone) {
                        writeFailures[0]++;
                        throw gone;
                    }
                });
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, "POST /impatient HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
                    RawResponse resp = r.next();
                    assertEquals(408, resp.status());
                    assertTrue(timedOut[0]);
                    long start = System.nanoTime();
                    assertTrue(r.closedByServer(), "the rest of the body never came: the connection closes");
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(ms >= 700 && ms < 3_000, "closed after draining for " + ms + " ms");
                }
                try (TcpSocket s = connect(server)) {
                    send(s, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
                    s.readFully(java.nio.ByteBuffer.allocate(1000));
                    s.setLinger(0);
                } // reset while the server still writes 64 MB
                for (int i = 0; i < 100 && writeFailures[0] == 0; i++) {
                    Fiber.sleep(20);
                }
                assertEquals(1, writeFailures[0], "the handler saw the client go");
                try (TcpSocket s = connect(server)) {
                    send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals("hello", new RawResponse.Reader(s).next().body(), "the server goes on serving");
                }
            });
            assertEquals(List.of(), log.warnings(), "a client that goes away is not a handler bug worth a warning");
        }
    }

    @Test
    void aResponseHeaderTheServerRefusesToSendGetsA500WithoutItAndAWarning() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            serve(server -> {
                server.createContext("/bad-header", ex -> {
                    ex.getResponseHeaders().add("X-Folded", "a\r\n b"); // the JDK's Headers lets obs-fold through
                    ex.sendResponseHeaders(200, -1);                   // refused here: escapes the handler
                });
                server.createContext("/bad-name", ex -> {
                    ex.getResponseHeaders().add("X Price", "10"); // not a token: refused by the server, not by Headers
                    ex.sendResponseHeaders(200, -1);
                });
                for (String path : List.of("/bad-header", "/bad-name")) {
                    try (TcpSocket s = connect(server)) {
                        RawResponse.Reader r = new RawResponse.Reader(s);
                        send(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                        RawResponse resp = r.next();
                        assertEquals(500, resp == null ? -1 : resp.status(), path + ": the client gets an answer");
                        assertNull(resp.header("X-Folded"));
                        assertNull(resp.header("X price"));
                        assertEquals("close", resp.header("Connection"));
                        assertTrue(r.closedByServer());
                    }
                }
            });
            List<String> warnings = log.warnings();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("X-folded") || warnings.get(0).contains("X-Folded"), warnings.get(0));
            assertTrue(warnings.get(1).contains("is not a token"), warnings.get(1));
        }
    }

    @Test
    void aHeaderTheServerWouldSetButTheHandlerSetIsCheckedAsTheHandlersOthers() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            serve(server -> {
                server.createContext("/bad-date", ex -> {
                    ex.getResponseHeaders().set("Date", "a\r\n b"); // the server keeps a handler's Date: checked as the handler's
                    ex.sendResponseHeaders(200, -1);
                });
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, "GET /bad-date HTTP/1.1\r\nHost: x\r\n\r\n");
                    RawResponse resp = r.next();
                    assertEquals(500, resp == null ? -1 : resp.status(), "the client gets an answer");
                    assertTrue(resp.header("Date").endsWith(" GMT"), "the server's own Date: " + resp.header("Date"));
                    assertTrue(r.closedByServer());
                }
            });
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("Date"), warnings.get(0));
        }
    }

    @Test
    void anAbsoluteFormTargetsHostIsTheHostHandlersSee() throws Exception {
        serve(server -> {
            server.createContext("/host", ex -> {
                byte[] b = (ex.getRequestHeaders().get("Host") + " " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "GET http://real.example:8081/host?a=1 HTTP/1.1\r\nHost: other.example\r\n\r\n"
                        + "GET https://[::1]/host HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /host HTTP/1.1\r\nHost: plain.example\r\n\r\n");
                assertEquals("[real.example:8081] http://real.example:8081/host?a=1", r.next().body(),
                        "RFC 9112 3.2.2: the target's authority, not the Host header");
                assertEquals("[[::1]] https://[::1]/host", r.next().body());
                assertEquals("[plain.example] /host", r.next().body());
            }
        });
    }

    @Test
    void aResponseAfterWhichTheConnectionClosesSaysConnectionClose() throws Exception {
        serve(server -> {
            server.createContext("/ignores-body", ex -> ex.sendResponseHeaders(204, -1));
            server.createContext("/streams", ex -> { // begins reading, answers, reads the rest: keeps the connection
                int first = ex.getRequestBody().read();
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(first);
                    out.write(ex.getRequestBody().readAllBytes());
                }
            });
            String big = "x".repeat(64 * 1024 + 1); // more than the server drains (HttpConnection.DRAIN_LIMIT)
            String[] closing = {
                "POST /ignores-body HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length() + "\r\n\r\n" + big,
                "POST /ignores-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            };
            for (String request : closing) {
                try (TcpSocket s = connect(server)) {
                    RawResponse.Reader r = new RawResponse.Reader(s);
                    send(s, request);
                    RawResponse resp = r.next();
                    assertEquals(204, resp.status());
                    assertEquals("close", resp.header("Connection"), "the unread body is not drained: say so");
                    assertTrue(r.closedByServer());
                }
            }
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "POST /ignores-body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
                        + "POST /streams HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                        + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                RawResponse small = r.next();
                assertNull(small.header("Connection"), "a small unread body is drained: the connection stays");
                RawResponse streamed = r.next();
                assertEquals("abc", streamed.body());
                assertNull(streamed.header("Connection"));
                assertEquals("hello", r.next().body());
            }
        });
    }

    @Test
    void readingTheRequestBodyStreamWorksByteByByteAndInBulk() throws Exception {
        serve(server -> {
            server.createContext("/bytes", ex -> {
                InputStream in = ex.getRequestBody();
                StringBuilder sb = new StringBuilder();
                for (int c = in.read(); c >= 0; c = in.read()) {
                    sb.append((char) c);
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            try (TcpSocket s = connect(server)) {
                RawResponse.Reader r = new RawResponse.Reader(s);
                send(s, "PUT /bytes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
                assertEquals("abc", r.next().body());
                send(s, "PUT /bytes HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz");
                assertEquals("wxyz", r.next().body());
            }
        });
    }
}
