package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The official {@code socket.io-client} 4.8 in Node against Weft's server (the script {@code
 * clients/node-client.js}): polling only, websocket only, polling upgraded to websocket, events both
 * ways, acknowledgements both ways (and the server's timeout), rooms reaching exactly their members,
 * binary arguments on both transports, reconnection after the server dropped the transport, a kick
 * ("io server disconnect"), a namespace refusing a wrong auth token and admitting the right one.
 */
class NodeClientTest {

    @Test
    void theOfficialNodeClientPassesEveryScenario() throws Exception {
        Clients.nodeSocketIo(); // installed outside the hub
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().pingInterval(Duration.ofSeconds(1))
                    .pingTimeout(Duration.ofSeconds(2)))) {
                Processes.Result r = ThreadPool.offload(() -> Clients.node("node-client.js", app.url()));
                String out = r.toString();
                assertEquals(0, r.exit(), out);
                assertTrue(out.contains("ALL OK 10"), out);
                assertTrue(app.failures.isEmpty(), app.failures.toString());
                assertTrue(app.disconnects.contains("forced close"), app.disconnects.toString());
                assertTrue(app.disconnects.contains(SocketIoSocket.SERVER_NAMESPACE_DISCONNECT), app.disconnects.toString());
                assertTrue(app.disconnects.contains(SocketIoSocket.CLIENT_NAMESPACE_DISCONNECT), app.disconnects.toString());
            }
        });
    }

    /** Every scenario again with the server on two hubs (a group of its own, as a server bound on a plain thread). */
    @Test
    void theOfficialNodeClientPassesEveryScenarioOnTwoHubs() throws Exception {
        Clients.nodeSocketIo();
        try (ChatApp app = new ChatApp(SocketIoServer.builder().pingInterval(Duration.ofSeconds(1))
                .pingTimeout(Duration.ofSeconds(2)), 2)) {
            assertEquals(2, app.http.hubCount());
            Processes.Result r = Clients.node("node-client.js", app.url());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.toString().contains("ALL OK 10"), r.toString());
            assertTrue(app.failures.isEmpty(), app.failures.toString());
            Sessions.awaitNone(app.io);
        }
    }

    /**
     * Rooms across two hubs with the Node client ({@code clients/node-hubs.js}): clients on polling,
     * websocket and the upgrade are connected until both rooms have members on both hubs and the
     * server saw a session's polling GET, POST and upgrade WebSocket each arrive on the other hub
     * (counted by a filter); senders on each hub reach exactly their room's members, every line once
     * and in order; {@code Broadcast.count()} counts the members on both hubs; an emit from a plain
     * thread reaches everyone. Then every session ends.
     */
    @Test
    void roomsReachTheirMembersOnBothHubsAndRequestsReachTheirSessionsHub() throws Exception {
        Clients.nodeSocketIo();
        try (ChatApp app = new ChatApp(SocketIoServer.builder().pingInterval(Duration.ofSeconds(1)) // a client gone without a word is seen soon
                .pingTimeout(Duration.ofSeconds(2)), 2)) {
            Processes.Result r = Clients.node("node-hubs.js", app.url(), "2");
            String out = r.toString();
            Files.writeString(Path.of("target", "node-hubs-" + System.getProperty("weft.hub", "default") + ".txt"), out);
            assertEquals(0, r.exit(), out);
            assertTrue(out.contains("OK spread") && out.contains("OK rooms") && out.contains("OK count")
                    && out.contains("OK everyone-from-a-thread")
                    && out.contains("HUBS OK"), out);
            assertTrue(app.crossHubPolls.get() > 0 && app.crossHubPosts.get() > 0 && app.crossHubWebSockets.get() > 0,
                    app.crossHubPolls + " " + app.crossHubPosts + " " + app.crossHubWebSockets);
            assertTrue(app.failures.isEmpty(), app.failures.toString());
            Sessions.awaitNone(app.io);
        }
    }
}
