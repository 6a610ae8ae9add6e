package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.Ports;
import dev.weft.testkit.Tools;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * Rooms across two server processes through a real {@code redis-server} ({@link RedisAdapter}): a
 * client on each server joins room A; what one says reaches both. Then Redis is killed: the sender's
 * own server still delivers to its members and the sender learns the publish failed (a clear error),
 * nothing hangs; Redis comes back on the same port and broadcasts cross the processes again. The
 * second process binds on its main thread, so its server runs on two hubs (room A gets members on
 * both) and its adapter on a hub of its own; the first runs server and adapter on one hub.
 */
class RedisAdapterTest {

    private static Process redis(Path bin, int port, Path dir) throws Exception {
        Process p = new ProcessBuilder(bin.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("redis-server did not listen on " + port);
    }

    /** A raw Engine.IO v4 WebSocket client connected to namespace /, in room {@code room}. */
    private static WebSocket client(int port, String room) throws Exception {
        WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"));
        assertTrue(next(ws).startsWith("0{"), "open");
        ws.send("40");
        assertTrue(next(ws).startsWith("40{"), "connected");
        ws.send("421[\"join\",\"" + room + "\"]");
        assertEquals("431[\"joined\",\"" + room + "\"]", next(ws));
        return ws;
    }

    /** The next Engine.IO packet that is not a ping (pings are answered). */
    private static String next(WebSocket ws) throws Exception {
        while (true) {
            String t = ((Message.Text) ws.receive()).text();
            if (!t.equals("2")) {
                return t;
            }
            ws.send("3");
        }
    }

    @Test
    void aRoomSpansTwoProcessesAndSurvivesRedisGoingAwayAndComingBack() throws Exception {
        Path bin = Tools.require("redis-server", "/usr/bin/redis-server", "redis-server");
        Path dir = Files.createTempDirectory("weft-redis");
        int redisPort = Ports.free();
        Process[] redis = {redis(bin, redisPort, dir)};
        Process child = new ProcessBuilder(ChildJvm.of(RedisNode.class, String.valueOf(redisPort)).command())
                .redirectErrorStream(true).start();
        try (LogCapture log = LogCapture.of("dev.weft.socketio", Level.INFO)) {
            BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String first = childOut.readLine();
            while (first != null && !first.startsWith("PORT ")) {
                first = childOut.readLine();
            }
            assertTrue(first != null, "the second server process did not start");
            int otherPort = Integer.parseInt(first.substring(5));
            Hub.run(() -> {
                RedisAdapter[] adapter = new RedisAdapter[1];
                WeftHttpServer http = RedisNode.start(redisPort, adapter, 1);
                try {
                    while (!adapter[0].isSubscribed()) {
                        Fiber.sleep(Duration.ofMillis(20));
                    }
                    WebSocket here = client(http.getAddress().getPort(), "A");
                    WebSocket there = client(otherPort, "A");
                    WebSocket elsewhere = client(otherPort, "B");
                    // the other server runs on two hubs: members of A on both, so what comes from Redis reaches every hub
                    List<WebSocket> alsoThere = new java.util.ArrayList<>();
                    while (true) {
                        there.send("429[\"hubs\",\"A\"]");
                        if (next(there).equals("439[2]")) {
                            break;
                        }
                        assertTrue(alsoThere.size() < 40, "40 clients of room A all landed on one hub of the other server");
                        alsoThere.add(client(otherPort, "A"));
                    }
                    here.send("42[\"say\",\"A\",\"one\"]");
                    assertEquals("42[\"said\",\"one\"]", next(here));
                    assertEquals("42[\"said\",\"one\"]", next(there));
                    for (WebSocket ws : alsoThere) {
                        assertEquals("42[\"said\",\"one\"]", next(ws), "a member on either hub of the other server");
                    }
                    there.send("42[\"say\",\"A\",\"one and a half\"]"); // from a hub of the other server to both of its hubs and here
                    assertEquals("42[\"said\",\"one and a half\"]", next(there));
                    assertEquals("42[\"said\",\"one and a half\"]", next(here));
                    for (WebSocket ws : alsoThere) {
                        assertEquals("42[\"said\",\"one and a half\"]", next(ws), "a member on either hub of the other server");
                        ws.close();
                    }
                    there.send("42[\"say\",\"A\",\"two\"]");
                    assertEquals("42[\"said\",\"two\"]", next(there));
                    assertEquals("42[\"said\",\"two\"]", next(here));
                    elsewhere.send("42[\"say\",\"B\",\"only B\"]");
                    assertEquals("42[\"said\",\"only B\"]", next(elsewhere));

                    ThreadPool.offload(() -> {
                        redis[0].destroyForcibly();
                        return redis[0].waitFor(10, TimeUnit.SECONDS);
                    });
                    while (adapter[0].isSubscribed()) {
                        Fiber.sleep(Duration.ofMillis(20));
                    }
                    here.send("42[\"say\",\"A\",\"three\"]");
                    assertEquals("42[\"said\",\"three\"]", next(here), "the local member still gets it");
                    String failed = next(here);
                    assertTrue(failed.startsWith("42[\"say-failed\",\"the broadcast reached this server's members, but publishing"
                            + " it to redis 127.0.0.1:" + redisPort + " failed"), failed);

                    redis[0] = ThreadPool.offload(() -> redis(bin, redisPort, dir));
                    while (!adapter[0].isSubscribed()) {
                        Fiber.sleep(Duration.ofMillis(20));
                    }
                    // the other process resubscribes on its own schedule: say until it hears
                    String heard;
                    int tries = 0;
                    do {
                        Fiber.sleep(Duration.ofMillis(100));
                        here.send("42[\"say\",\"A\",\"four\"]");
                        String mine = next(here);
                        assertTrue(mine.equals("42[\"said\",\"four\"]") || mine.startsWith("42[\"say-failed\""), mine);
                        heard = null;
                        try (dev.weft.fibers.Timeout t = dev.weft.fibers.Timeout.after(Duration.ofMillis(300))) {
                            heard = next(there);
                        } catch (dev.weft.fibers.FiberTimeoutException notYet) {
                            // not subscribed again yet
                        }
                    } while (heard == null && ++tries < 50);
                    assertEquals("42[\"said\",\"four\"]", heard, "after Redis came back");
                    for (WebSocket ws : List.of(here, there, elsewhere)) {
                        ws.close();
                    }
                } finally {
                    adapter[0].close();
                    http.stop(0);
                }
            });
            List<String> messages = log.records().stream().map(LogRecord::getMessage).toList();
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("socket.io redis adapter: lost redis 127.0.0.1:" + redisPort)),
                    messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("socket.io redis adapter: subscribed again")), messages.toString());
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            redis[0].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
