package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weft's WebSocket server against the Autobahn TestSuite's cases of sections 1–7 and 9: a fuzzing
 * client ({@link RawPeer}, masked frames built by hand) plays each case against an echo server
 * ({@link TestServer#ECHO}) over a real socket on 127.0.0.1; each test is named after its case number.
 */
class AutobahnServerTest {
    static final WebSocketServer SERVER = WebSocketServer.builder()
            .options(Autobahn.OPTIONS).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.weft.websocket.Autobahn#cases")
    void autobahnCase(Autobahn.Case c) throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO)) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    Autobahn.play(c, peer, false);
                }
                server.close();
                assertTrue(server.failures.isEmpty(), c + ": the server's handler failed: " + server.failures);
            }
        });
    }

    @Test
    void theTableHasEveryCaseOfSections1To7And9() {
        List<Autobahn.Case> all = AutobahnCases.all();
        assertEquals(300, all.size());
        assertEquals(all.size(), all.stream().map(Autobahn.Case::id).distinct().count(), "case numbers are unique");
        assertEquals(145, all.stream().filter(c -> c.id().startsWith("6.")).count());
        assertEquals("6.22.34", all.stream().filter(c -> c.id().startsWith("6.22.")).reduce((a, b) -> b).orElseThrow().id());
        assertEquals("6.23.7", all.stream().filter(c -> c.id().startsWith("6.23.")).reduce((a, b) -> b).orElseThrow().id());
    }
}
