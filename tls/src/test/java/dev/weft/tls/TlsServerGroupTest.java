package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.HubGroup;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.StreamServerGroup;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Issue 24, item 2: one {@link TlsServer}'s handler on every hub of a group: each hub runs the
 * handshakes of the connections it accepted (its own handshake turn), and a JDK client gets answers
 * from every hub.
 */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs(OS.LINUX) // SO_REUSEPORT balances there
class TlsServerGroupTest {

    @Test
    void oneTlsHandlerServesOnEveryHubOfAGroup() throws Exception {
        TestPki pki = TestPki.get();
        TlsServer tls = TlsServer.builder(pki.serverContext()).build();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(tls.handler(socket -> socket.writeAll(
                    (Thread.currentThread().getName() + "\n").getBytes(StandardCharsets.US_ASCII))))
                    .bind("127.0.0.1", 0).startOn(group);
            Set<String> servedBy = new TreeSet<>();
            for (int i = 0; i < 32; i++) {
                try (SSLSocket s = (SSLSocket) pki.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    servedBy.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
                }
            }
            assertEquals(Set.of(group.name() + "-0", group.name() + "-1"), servedBy, "32 handshakes over 2 hubs");
            assertEquals(0, server.stop(Duration.ofSeconds(5)));
            assertEquals(1, log.count());
        }
    }
}
