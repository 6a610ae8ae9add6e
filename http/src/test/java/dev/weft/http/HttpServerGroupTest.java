package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.HubGroup;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Issue 24, item 2: an HTTP server bound on an ordinary thread serves on a group of hubs by default. */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs(OS.LINUX) // SO_REUSEPORT balances there
class HttpServerGroupTest {

    /** A GET over a fresh connection (Connection: close); the body. */
    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static HttpServer whoServer(HttpServer server) {
        server.createContext("/who", ex -> {
            byte[] b = Thread.currentThread().getName().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/stop", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.getHttpContext().getServer().stop(0); // from a handler of one of the group's hubs
            ex.close();
        });
        return server;
    }

    @Test
    void boundOnAPlainThreadItServesOnEveryHubAndSaysSo() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.sockets.StreamServer")) {
            HttpServer server = whoServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            server.start();
            int port = server.getAddress().getPort();
            Set<String> hubs = new TreeSet<>();
            for (int i = 0; i < 64; i++) {
                hubs.add(get(port, "/who").replaceAll("-\\d+$", "-N"));
                hubs.add(get(port, "/who"));
            }
            int size = HubGroup.defaultSize();
            assertEquals(size + 1, hubs.size(), "every hub served (64 connections over " + size + " hubs): " + hubs);
            assertTrue(hubs.contains("weft-http /127.0.0.1:0-N"), hubs.toString());
            assertEquals(1, log.count(), log.messages().toString());
            assertTrue(log.messages().get(0).endsWith(": accepting on " + size + " hub(s) of weft-http /127.0.0.1:0 (one"
                    + " SO_REUSEPORT listener per hub, backend " + log.messages().get(0).replaceAll(".*backend ", "")),
                    log.messages().get(0));
            assertEquals("", get(port, "/stop"));
            while (portOpen(port)) {
                Thread.onSpinWait(); // the other hubs' listeners close as the handler's stop returns; its own at once
            }
            assertThrows(ConnectException.class, () -> get(port, "/who"));
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void oneHubIsOneCallAway() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.sockets.StreamServer")) {
            WeftHttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 1);
            whoServer(server).start();
            int port = server.getAddress().getPort();
            Set<String> hubs = new TreeSet<>();
            for (int i = 0; i < 16; i++) {
                hubs.add(get(port, "/who"));
            }
            assertEquals(Set.of("weft-http /127.0.0.1:0-0"), hubs);
            server.stop(1);
            assertFalse(portOpen(port));
            assertTrue(log.messages().get(0).contains(": accepting on 1 hub(s) of weft-http"), log.messages().toString());
            assertThrows(IllegalArgumentException.class,
                    () -> WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 0));
        }
    }

    @Test
    void connectionsAndHubCountCoverEveryHubOfTheServersGroup() throws Exception {
        try (LogCapture log = LogCapture.of("dev.weft.sockets.StreamServer")) {
            WeftHttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 2);
            whoServer(server).start();
            int port = server.getAddress().getPort();
            assertEquals(2, server.hubCount());
            java.util.List<Socket> open = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) { // SO_REUSEPORT spreads 40 connections over both hubs
                    open.add(new Socket(InetAddress.getLoopbackAddress(), port));
                }
                int seen = 0;
                for (int tries = 0; tries < 2_000 && seen != 40; tries++) {
                    seen = server.connections(); // accepted by now on both hubs; was a NullPointerException on a group
                    if (seen != 40) {
                        Thread.sleep(5);
                    }
                }
                assertEquals(40, seen);
            } finally {
                for (Socket s : open) {
                    s.close();
                }
                server.stop(0);
            }
            assertEquals(1, log.count(), log.messages().toString());
        }
    }
}
