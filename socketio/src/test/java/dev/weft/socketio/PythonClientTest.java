package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.Processes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Python's Socket.IO client (Debian's {@code python3-socketio}, the script {@code
 * clients/python-client.py}) against the same server as {@link NodeClientTest}: polling, websocket
 * and the upgrade, events and acks both ways, binary, rooms, a namespace refusing and admitting.
 */
class PythonClientTest {

    @Test
    void pythonsSocketIoClientPassesEveryScenario() throws Exception {
        Clients.pythonSocketIo();
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().pingInterval(Duration.ofSeconds(1))
                    .pingTimeout(Duration.ofSeconds(2)))) {
                Processes.Result r = ThreadPool.offload(() -> Clients.python("python-client.py", app.url()));
                assertEquals(0, r.exit(), r.toString());
                assertTrue(r.out().contains("ALL OK"), r.toString());
                assertTrue(app.failures.isEmpty(), app.failures.toString());
            }
        });
    }

    /** The same scenarios with the server on two hubs (its own group). */
    @Test
    void pythonsSocketIoClientPassesEveryScenarioOnTwoHubs() throws Exception {
        Clients.pythonSocketIo();
        try (ChatApp app = new ChatApp(SocketIoServer.builder().pingInterval(Duration.ofSeconds(1))
                .pingTimeout(Duration.ofSeconds(2)), 2)) {
            Processes.Result r = Clients.python("python-client.py", app.url());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("ALL OK"), r.toString());
            assertTrue(app.failures.isEmpty(), app.failures.toString());
            Sessions.awaitNone(app.io);
        }
    }
}
