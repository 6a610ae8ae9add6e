package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.TestPki;
import dev.weft.tls.TlsClient;
import dev.weft.tls.TlsServer;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The opening handshake, both sides: what is negotiated, what is refused and how, and wss over the tls module. */
class HandshakeTest {
    @Test
    void theClientsFirstOfferThatTheServerSpeaksIsChosenAndExtraHeadersArrive() throws Exception {
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder().subprotocols("chat.v2", "chat.v1").build();
            List<String> seen = new java.util.ArrayList<>();
            try (TestServer server = TestServer.start(settings, ws -> {
                seen.add(ws.subprotocol() + " " + ws.handshakeHeaders().get("authorization") + " " + ws.target());
                TestServer.ECHO.handle(ws);
            })) {
                WebSocketClient client = WebSocketClient.builder().subprotocols("chat.v1", "chat.v2")
                        .header("Authorization", "Bearer 123").header("User-Agent", "weft-test").build();
                try (WebSocket ws = client.connect(server.uri("/room/1?x=y"))) {
                    assertEquals("chat.v1", ws.subprotocol());
                    assertNull(ws.extensions());
                    assertEquals(List.of("websocket"), ws.handshakeHeaders().get("UPGRADE"));
                    ws.send("x");
                    ws.receive();
                }
                try (WebSocket ws = WebSocketClient.builder().subprotocols("other").build().connect(server.uri("/"))) {
                    assertNull(ws.subprotocol(), "no subprotocol in common: none chosen");
                }
                server.close();
                assertEquals(List.of("chat.v1 [Bearer 123] /room/1?x=y", "null null /"), seen);
                assertThrows(IllegalArgumentException.class, () -> WebSocketClient.builder().header("Sec-WebSocket-Key", "x"));
                assertThrows(IllegalArgumentException.class, () -> WebSocketClient.builder().subprotocols("has space"));
            }
        });
    }

    @Test
    void theOriginCheckRefusesWith403AndTheClientSeesTheStatusAndTheReason() throws Exception {
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder().originCheck("https://good.example"::equals).build();
            try (TestServer server = TestServer.start(settings, TestServer.ECHO)) {
                WebSocketClient evil = WebSocketClient.builder().header("Origin", "https://evil.example").build();
                WebSocketHandshakeException refused = assertThrows(WebSocketHandshakeException.class, () -> evil.connect(server.uri("/")));
                assertEquals(403, refused.status());
                assertTrue(refused.getMessage().contains("403 Forbidden") && refused.getMessage().contains("'https://evil.example' is not allowed"),
                        refused.getMessage());
                WebSocketClient good = WebSocketClient.builder().header("Origin", "https://good.example").build();
                good.connect(server.uri("/")).close();
                server.close();
                assertEquals(403, ((WebSocketHandshakeException) server.endings.get(0)).status());
            }
        });
    }

    @Test
    void malformedUpgradeRequestsAreRefusedWith400Or426SayingWhy() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                String good = "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n";
                // the http module spells header names as the JDK's Headers does (names are case-insensitive)
                assertEquals("HTTP/1.1 426 Upgrade Required|Sec-websocket-version: 13", refusal(server,
                        "GET / HTTP/1.1\r\n" + good + "Sec-WebSocket-Version: 8\r\n\r\n", "Sec-websocket-version: 13"));
                assertEquals("HTTP/1.1 400 Bad Request|it must be one base64 value of 16 bytes", refusal(server,
                        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\n"
                                + "Sec-WebSocket-Version: 13\r\n\r\n", "it must be one base64 value of 16 bytes"));
                assertEquals("HTTP/1.1 400 Bad Request|a WebSocket upgrade is a GET request, not POST", refusal(server,
                        "POST / HTTP/1.1\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", "a WebSocket upgrade is a GET request, not POST"));
                assertEquals("HTTP/1.1 400 Bad Request|has no 'Upgrade: websocket' header", refusal(server,
                        "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"
                                + "Sec-WebSocket-Version: 13\r\n\r\n", "has no 'Upgrade: websocket' header"));
                server.close();
                assertEquals(4, server.endings.size());
                assertTrue(server.failures.isEmpty(), server.failures.toString());
            }
        });
    }

    /** Sends {@code request}; returns the status line and the part of the response that contains {@code expect}. */
    private static String refusal(TestServer server, String request, String expect) throws Exception {
        try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
            s.writeAll(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (s.read(b) > 0) {
                // until the server closes
            }
            String response = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            assertTrue(response.contains("Connection: close"), response);
            return response.substring(0, response.indexOf("\r\n")) + "|" + (response.contains(expect) ? expect : response);
        }
    }

    @Test
    void aRedirectIsReportedNotFollowedAndABrokenAnswerIsRefused() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocketHandshakeException> redirected = Fiber.spawn(() -> assertThrows(WebSocketHandshakeException.class,
                        () -> WebSocket.connect(raw.uri("/old"))));
                try (TcpSocket s = raw.acceptRaw()) {
                    readHead(s);
                    s.writeAll("HTTP/1.1 301 Moved Permanently\r\nLocation: ws://127.0.0.1:1/new\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    WebSocketHandshakeException e = redirected.get();
                    assertEquals(301, e.status());
                    assertTrue(e.getMessage().contains("a redirect to ws://127.0.0.1:1/new; redirects are not followed"), e.getMessage());
                }
                Fiber<WebSocketHandshakeException> wrongKey = Fiber.spawn(() -> assertThrows(WebSocketHandshakeException.class,
                        () -> WebSocket.connect(raw.uri("/"))));
                try (TcpSocket s = raw.acceptRaw()) {
                    readHead(s);
                    s.writeAll(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    assertTrue(wrongKey.get().getMessage().contains("not the answer to our key"), wrongKey.get().getMessage());
                }
                Fiber<WebSocketHandshakeException> unoffered = Fiber.spawn(() -> assertThrows(WebSocketHandshakeException.class,
                        () -> WebSocket.connect(raw.uri("/"))));
                raw.accept("Sec-WebSocket-Protocol: surprise\r\n").close();
                assertTrue(unoffered.get().getMessage().contains("chose subprotocol [surprise], which we did not offer"),
                        unoffered.get().getMessage());
            }
        });
    }

    private static void readHead(TcpSocket s) throws Exception {
        TestServer.readHead(s::read);
    }

    @Test
    void connectGivesUpAfterItsTimeoutAndRefusalsAreJavaNetExceptions() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofMillis(300)).build();
                Fiber<SocketTimeoutException> connecting = Fiber.spawn(() -> assertThrows(SocketTimeoutException.class,
                        () -> client.connect(raw.uri("/"))));
                TcpSocket silent = raw.acceptRaw(); // never answers
                SocketTimeoutException e = connecting.get();
                assertTrue(e.getMessage().contains("did not complete within 300 ms"), e.getMessage());
                assertTrue(silent.read(ByteBuffer.allocate(4096)) > 0); // the request
                assertEquals(-1, silent.read(ByteBuffer.allocate(4096)), "the client closed its socket");
                int closedPort = raw.port();
                raw.close();
                assertThrows(ConnectException.class, () -> WebSocket.connect(URI.create("ws://127.0.0.1:" + closedPort + "/")));
                assertThrows(IllegalArgumentException.class, () -> WebSocket.connect(URI.create("http://127.0.0.1/")));
                assertThrows(IllegalArgumentException.class, () -> WebSocket.connect(URI.create("ws://127.0.0.1/#frag")));
            }
        });
    }

    @Test
    void framesSentRightAfterTheRequestAreNotLost() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO);
                 TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                String request = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nSec-WebSocket-Version: 13\r\n\r\n";
                byte[] frame = {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'}; // "hi", mask key 0
                ByteBuffer both = ByteBuffer.allocate(request.length() + frame.length);
                both.put(request.getBytes(StandardCharsets.ISO_8859_1)).put(frame).flip();
                s.writeAll(both); // one write: the server's head reader gets the frame with the head
                ByteBuffer in = ByteBuffer.allocate(4096);
                String got = "";
                while (!got.endsWith("hi")) {
                    s.read(in);
                    got = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                }
                assertTrue(got.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), got);
                assertTrue(got.endsWith("\r\n\r\n\u0081\u0002hi"), got);
            }
        });
    }

    @Test
    void wssGoesThroughTheTlsModuleBothWays() throws Exception {
        TestPki pki = TestPki.get();
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), pki.serverContext(), ws -> {
                assertNotNull(ws.sslSession());
                TestServer.ECHO.handle(ws);
            })) {
                WebSocketClient client = WebSocketClient.builder().tls(TlsClient.of(pki.clientContext())).build();
                try (WebSocket ws = client.connect(URI.create("wss://localhost:" + server.port() + "/secure"))) {
                    assertTrue(ws.sslSession().getProtocol().startsWith("TLSv1."), ws.sslSession().getProtocol());
                    byte[] big = new byte[200_000];
                    new java.util.Random(3).nextBytes(big);
                    ws.send(big);
                    assertEquals(new Message.Binary(big), ws.receive());
                }
                // The defaults trust the JDK's CAs, not the test CA: a clear handshake failure.
                javax.net.ssl.SSLHandshakeException e = assertThrows(javax.net.ssl.SSLHandshakeException.class,
                        () -> WebSocket.connect(URI.create("wss://localhost:" + server.port() + "/")));
                assertNotNull(e.getMessage());
                server.close();
                assertTrue(server.failures.stream().allMatch(t -> t instanceof javax.net.ssl.SSLException), server.failures.toString());
            }
        });
    }
}
