package dev.weft.jmh.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.socketio.Namespace;
import dev.weft.socketio.SocketIoServer;
import dev.weft.socketio.SocketIoSocket;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load client of {@code bench fanout} ({@code fanout-client.js} with the official {@code
 * socket.io-client} from npm, installed into {@code target/npm-fanout}) against real servers on this
 * backend: Weft's room server delivers every message to every client, and the count says so; a server
 * that skips one delivery, sends one twice and disconnects one client is caught on each count, exactly.
 * Then the whole driver, briefly, with the three servers (a smoke run, not a measurement).
 */
class FanoutLoadClientTest {
    private static final FanoutLoad SHORT = new FanoutLoad(20, 0, 1, 4, 0, 300);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyClientGetsEveryMessageFromWeftsRoomServer() throws Exception {
        FanoutNode node = node();
        FanoutResult r = runAgainst(node, io -> FanoutServers.serveRoom(io.of("/")));
        assertTrue(r.complete(), r.json());
        assertEquals(20, r.client().joined(), r.json());
        assertTrue(r.client().sent() > 10 && r.client().deliveredInWindow() > 0, r.json());
        assertEquals(r.client().sent() * 20, r.client().delivered(), r.json());
        assertTrue(r.client().p50Micros() > 0 && r.client().p99Micros() >= r.client().p50Micros(), r.json());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerThatLosesDuplicatesOrDisconnectsIsCaughtOnEachCount() throws Exception {
        FanoutNode node = node();
        FanoutResult r = runAgainst(node, io -> {
            Namespace ns = io.of("/");
            List<SocketIoSocket> members = new ArrayList<>(); // hub thread only
            ns.onConnection(socket -> {
                socket.on("join", (args, ack) -> {
                    socket.join(FanoutServers.ROOM);
                    members.add(socket);
                    ack.send();
                });
                socket.on("send", (args, ack) -> {
                    Map<?, ?> m = (Map<?, ?>) args.get(0);
                    long seq = ((Number) m.get("s")).longValue();
                    if (seq == 5) {
                        members.get(1).disconnect(true); // the second member misses 5 and everything after
                    }
                    for (SocketIoSocket member : members) {
                        if (!member.connected() || (member == members.get(0) && seq == 7)) {
                            continue; // the first member misses 7
                        }
                        member.emit("m", m);
                        if (member == members.get(2) && seq == 3) {
                            member.emit("m", m); // the third gets 3 twice
                        }
                    }
                });
            });
        });
        long sent = r.client().sent();
        assertTrue(sent > 10, r.json());
        assertFalse(r.complete(), r.json());
        assertEquals(1 + (sent - 5), r.client().lost(), r.json());
        assertEquals(1, r.client().duplicates(), r.json());
        assertEquals(1, r.client().disconnected(), r.json());
        assertEquals(Map.of("io server disconnect", 1), r.client().disconnectReasons(), r.json());
        assertEquals(r.client().expected(), r.client().delivered() + r.client().lost(), r.json());
        assertTrue(r.client().timedOut() >= 1, r.json()); // message 7 never reached every member still connected: it left the window by time
        assertTrue(r.deliveryVerdict().contains("LOST") && r.deliveryVerdict().contains("DUPLICATED 1")
                && r.deliveryVerdict().contains("DISCONNECTED 1"), r.deliveryVerdict());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theDriverRunsTheThreeServersAndWritesTheirRows() throws Exception {
        node();
        Path result = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "fanout-smoke").resolve("fanout-result.json");
        try {
            String weft = "weft-" + System.getProperty("weft.hub", io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
            Processes.Result run = ChildJvm.of(FanoutBench.class, "--servers", weft + ",netty-socketio,node", "--clients", "20",
                    "--seconds", "1", "--warmup", "0", "--result", result.toString())
                    .jvmOptions("-Dweft.fanout.npm=" + Path.of("target", "npm-fanout").toAbsolutePath()).run(150);
            assertEquals(0, run.exit(), run::toString);
            assertTrue(run.out().contains("netty-socketio 2.0.13 on Netty 4.2.18.Final"), run::toString);
            assertEquals("", run.stderr().strip(), run::toString);
            String json = Files.readString(result);
            Matcher m = Pattern.compile("\"server\": \"([^\"]+)\".*?\"deliveredInWindow\": (\\d+).*?\"complete\": (true|false)").matcher(json);
            List<String> servers = new ArrayList<>();
            while (m.find()) {
                servers.add(m.group(1));
                assertTrue(Long.parseLong(m.group(2)) > 0, json);
                assertEquals("true", m.group(3), json);
            }
            assertEquals(List.of(weft, "netty-socketio", "node"), servers, json);
            assertTrue(Files.readString(result.resolveSibling("fanout-table.txt")).startsWith("server"), json);
        } finally {
            for (Path p : List.of(result, result.resolveSibling("fanout-table.txt"), result.getParent())) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs {@link #SHORT} against a Weft Socket.IO server on this backend's hub, set up by {@code setup}. */
    private static FanoutResult runAgainst(FanoutNode node, Consumer<SocketIoServer> setup) throws Exception {
        return Hub.run(() -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256,
                    HttpLimits.defaults(), 1);
            SocketIoServer io = SocketIoServer.builder().build();
            io.attach(http);
            setup.accept(io);
            http.start();
            try {
                int port = http.getAddress().getPort();
                return ThreadPool.offload(() -> SHORT.run(node, "weft", port, null, () -> 0));
            } finally {
                http.stop(0);
            }
        });
    }

    private static FanoutNode node() throws Exception {
        Tools.require("nodejs", "node");
        Tools.require("npm", "npm");
        try {
            return FanoutNode.install(Path.of("target", "npm-fanout"));
        } catch (IllegalStateException e) {
            Assumptions.abort("SKIPPED: " + e.getMessage());
            throw e;
        }
    }
}
