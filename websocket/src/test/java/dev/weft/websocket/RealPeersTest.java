package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.Processes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weft against WebSocket implementations nobody here wrote, both directions, with permessage-deflate on
 * and off: the npm package {@code ws} 8 (Node) and Python's {@code websockets} 10 (Debian). Their
 * clients send text, unicode, binary, 512 KiB of random bytes and 200 small JSON messages at once to
 * Weft's echo server, check every echo, ping, and close with 1000 "bye"; Weft's client does the same
 * to their echo servers.
 */
class RealPeersTest {
    private static final WebSocketOptions PLAIN = WebSocketOptions.builder().maxMessageSize(16 << 20).build();
    private static final WebSocketOptions DEFLATE = PLAIN.toBuilder().compression(PerMessageDeflate.enabled()).build();

    @ParameterizedTest(name = "{0} client, deflate {1}")
    @CsvSource({"ws, false", "ws, true", "websockets, false", "websockets, true"})
    void theirClientAgainstWeftsServer(String peer, boolean deflate) throws Exception {
        List<String> command = peerCommand(peer, "client");
        Path nodePath = peer.equals("ws") ? Peers.nodeWs() : null;
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder().options(deflate ? DEFLATE : PLAIN).build();
            List<String> extensions = new ArrayList<>();
            try (TestServer server = TestServer.start(settings, ws -> {
                extensions.add(String.valueOf(ws.extensions()));
                TestServer.ECHO.handle(ws);
            })) {
                List<String> cmd = new ArrayList<>(command);
                cmd.add(server.uri("/echo").toString());
                cmd.add(deflate ? "deflate" : "plain");
                Processes.Result r = ThreadPool.offload(() -> runWithNodePath(cmd, nodePath));
                assertEquals(0, r.exit(), r.toString());
                // Weft answers a close with the peer's code (and no reason), as RFC 6455 section 5.5.1 suggests.
                assertTrue(r.out().contains("PONG ok") && r.out().contains("CLOSED 1000  after 205 echoes"), r.toString());
                server.close();
                assertTrue(server.failures.isEmpty(), server.failures.toString());
                assertEquals(List.of(deflate ? "permessage-deflate" : "null"), extensions, r.toString());
                WebSocketClosedException end = (WebSocketClosedException) server.endings.get(0);
                assertEquals(1000, end.code());
                assertEquals("bye", end.reason());
                assertTrue(r.out().contains("EXTENSIONS " + (deflate ? "permessage-deflate" : "-")), r.toString());
            }
        });
    }

    private static Processes.Result runWithNodePath(List<String> cmd, Path nodePath) throws Exception {
        if (nodePath == null) {
            return Processes.run(cmd, 60);
        }
        List<String> withEnv = new ArrayList<>(List.of("env", "NODE_PATH=" + nodePath));
        withEnv.addAll(cmd);
        return Processes.run(withEnv, 60);
    }

    @ParameterizedTest(name = "{0} server, deflate {1}")
    @CsvSource({"ws, false", "ws, true", "websockets, false", "websockets, true"})
    void weftsClientAgainstTheirServer(String peer, boolean deflate) throws Exception {
        List<String> command = new ArrayList<>(peerCommand(peer, "server"));
        command.add(deflate ? "deflate" : "plain");
        Path nodePath = peer.equals("ws") ? Peers.nodeWs() : null;
        try (Peers.Server server = new Peers.Server(command, nodePath)) {
            Hub.run(() -> {
                WebSocketClient client = WebSocketClient.builder().options(deflate ? DEFLATE : PLAIN).build();
                WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port + "/echo"));
                assertEquals(deflate, ws.isCompressed(), String.valueOf(ws.extensions()));
                List<Message> sent = new ArrayList<>();
                sent.add(new Message.Text("hello"));
                sent.add(new Message.Text("κόσμε 👋 unicode"));
                byte[] all = new byte[256];
                for (int i = 0; i < 256; i++) {
                    all[i] = (byte) i;
                }
                sent.add(new Message.Binary(all));
                byte[] random = new byte[512 * 1024];
                new Random(7).nextBytes(random);
                sent.add(new Message.Binary(random));
                sent.add(new Message.Text(""));
                for (int i = 0; i < 200; i++) {
                    sent.add(new Message.Text("{\"event\":\"chat\",\"room\":\"lobby\",\"n\":" + i + ",\"text\":\"" + "hi ".repeat(i % 20) + "\"}"));
                }
                for (Message m : sent) {
                    ws.send(m);
                }
                for (Message m : sent) {
                    assertEquals(m, ws.receive());
                }
                ws.sendPing("are you there".getBytes(StandardCharsets.UTF_8));
                ws.send("after the ping");
                assertEquals(new Message.Text("after the ping"), ws.receive()); // the pong came before it and was taken in
                ws.close(1000, "bye");
                assertEquals(1000, ws.closeStatus().code(), ws.closeStatus().getMessage());
                assertTrue(ws.closeStatus().getMessage().contains("the peer answered our close(1000)"), ws.closeStatus().getMessage());
            });
            String closed = server.awaitLine("CLOSED");
            assertTrue(closed.startsWith("CLOSED 1000 bye"), closed + " / " + server.lines);
            String ext = server.awaitLine("EXTENSIONS");
            assertTrue(deflate ? ext.startsWith("EXTENSIONS permessage-deflate") : ext.equals("EXTENSIONS -"), ext);
        }
    }

    private static List<String> peerCommand(String peer, String role) throws Exception {
        return switch (peer) {
            case "ws" -> List.of("node", Peers.script(role.equals("client") ? "ws-client.js" : "ws-echo-server.js").toString());
            case "websockets" -> List.of(Peers.pythonWebsockets().toString(),
                    Peers.script(role.equals("client") ? "websockets_client.py" : "websockets_echo_server.py").toString());
            default -> throw new IllegalArgumentException(peer);
        };
    }
}
