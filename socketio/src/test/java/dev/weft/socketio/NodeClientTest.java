package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.Processes;
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
}
