package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.testkit.Npm;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * CORS with a real browser: Debian's {@code chromium}, headless, through {@code puppeteer-core}
 * ({@code clients/cors-pages.js}). Two small static servers on their own ports (two origins) serve a
 * page that sets a cookie and connects with the official {@code socket.io-client} over polling,
 * {@code withCredentials}, to the Socket.IO server on a third port, which allows the first origin
 * only, with credentials: from the allowed origin the page connects and the server sees its cookie;
 * from the other the browser refuses the responses (a CORS error in the page's console) and the
 * client gets {@code connect_error}. Chromium (apt-get), Node and npm are installed by the test as
 * root; what cannot be had skips it, naming it. Chromium's profile is a temp directory deleted at the end.
 */
class CorsBrowserTest {

    @Test
    void aPageOfTheAllowedOriginConnectsWithCredentialsAndAnotherOriginIsRefusedByTheBrowser() throws Exception {
        Path chromium = Tools.require("chromium", "chromium");
        Path client = Clients.nodeSocketIo();
        Path puppeteer = Npm.install("npm-puppeteer", "puppeteer-core@24", "puppeteer-core", "24.");
        byte[] js = Files.readAllBytes(client.resolve("socket.io-client/dist/socket.io.min.js"));
        WeftHttpServer allowedSite = staticSite(js);
        WeftHttpServer otherSite = staticSite(js);
        String allowedOrigin = "http://127.0.0.1:" + allowedSite.getAddress().getPort();
        WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 2);
        SocketIoServer io = SocketIoServer.builder().cors(List.of(allowedOrigin), true).build();
        io.attach(http);
        io.of("/").onConnection(socket -> socket.on("cookie", (args, ack) ->
                ack.send(String.valueOf(socket.handshake().headers().getOrDefault("Cookie", List.of("none")).get(0)))));
        http.start();
        Path profile = Files.createTempDirectory("weft-cors-chromium-");
        try {
            String ioUrl = "http://127.0.0.1:" + http.getAddress().getPort();
            Path script = Clients.script("cors-pages.js");
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(), allowedOrigin + "/?io=" + ioUrl,
                    "http://127.0.0.1:" + otherSite.getAddress().getPort() + "/?io=" + ioUrl, chromium.toString(), profile.toString());
            pb.environment().put("NODE_PATH", puppeteer.toString());
            Processes.Result r = Processes.await(pb.start(), "node cors-pages.js", null, Duration.ofSeconds(60));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("ALLOWED OK connected; the server saw the cookie who=weft-test")
                    && r.out().contains("REFUSED OK connect_error"), r.toString());
        } finally {
            http.stop(0);
            allowedSite.stop(0);
            otherSite.stop(0);
            try (Stream<Path> all = Files.walk(profile)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A server of one page (it reads the Socket.IO server's URL from its query) and the client script. */
    private static WeftHttpServer staticSite(byte[] clientJs) throws IOException {
        WeftHttpServer site = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 1);
        byte[] page = """
                <!doctype html><html><head><meta charset="utf-8"><title>cors</title>
                <script src="/socket.io.min.js"></script></head><body><script>
                document.cookie = 'who=weft-test; SameSite=Lax';
                const target = new URLSearchParams(location.search).get('io');
                const socket = io(target, { transports: ['polling'], withCredentials: true, reconnection: false, timeout: 8000 });
                socket.on('connect', () => socket.emit('cookie', (c) => { window.outcome = 'connected; the server saw the cookie ' + c; }));
                socket.on('connect_error', (e) => { window.outcome = 'connect_error: ' + e.message; });
                </script></body></html>
                """.getBytes(StandardCharsets.UTF_8);
        site.createContext("/socket.io.min.js", ex -> respond(ex, "application/javascript", clientJs));
        site.createContext("/", ex -> respond(ex, "text/html; charset=utf-8", page));
        site.start();
        return site;
    }

    private static void respond(HttpExchange ex, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
