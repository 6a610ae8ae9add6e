package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.HubGroup;
import dev.weft.http.WeftHttpServer;
import dev.weft.testkit.Npm;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rooms example in a real browser: Debian's {@code chromium}, headless, driven by {@code
 * puppeteer-core} from npm (the system's Chromium, nothing downloaded): two pages join the room
 * "lobby" through the example's page and each sees the other's message; their screenshots are kept
 * in {@code target/rooms-browser}. The server is the example's default one: bound on a plain thread,
 * on a hub per processor. Chromium's profile is a temp directory that the test deletes at the end.
 * Chromium (apt-get), Node and npm are installed by the test as root; what cannot be had skips it,
 * naming it.
 */
class RoomsBrowserTest {

    @Test
    void twoChromiumPagesJoinARoomAndSeeEachOthersMessages() throws Exception {
        Path chromium = Tools.require("chromium", "chromium");
        Path client = Npm.install("npm-socketio", RoomsServer.CLIENT_PACKAGE, "socket.io-client", "4.8.");
        Path puppeteer = Npm.install("npm-puppeteer", "puppeteer-core@24", "puppeteer-core", "24.");
        byte[] js = RoomsServer.clientJs(null, client.getParent());
        Path out = Path.of("target", "rooms-browser").toAbsolutePath();
        Files.createDirectories(out);
        WeftHttpServer server = RoomsServer.start(new InetSocketAddress("127.0.0.1", 0), js);
        Path profile = Files.createTempDirectory("weft-rooms-chromium-");
        try {
            assertEquals(HubGroup.defaultSize(), server.hubCount(), "the example's server runs on a hub per processor");
            Path script = Path.of(RoomsBrowserTest.class.getResource("/rooms/two-pages.js").toURI());
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(),
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/", chromium.toString(), out.toString(),
                    profile.toString());
            pb.environment().put("NODE_PATH", puppeteer.toString());
            Processes.Result r = Processes.await(pb.start(), "node two-pages.js", null, Duration.ofSeconds(90));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("alice saw bob's message") && r.out().contains("bob saw alice's message"), r.toString());
            for (String name : List.of("alice", "bob")) {
                Path png = out.resolve("rooms-" + name + ".png");
                assertTrue(Files.size(png) > 1000, png + " is a screenshot");
            }
        } finally {
            server.stop(0);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
