package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every name lookup runs off the hub (issue 16 item 12). The JVM's resolver here is
 * {@link RecordingResolverProvider}, which records the thread of each lookup.
 */
@org.junit.jupiter.api.Timeout(60)
class ResolverTest {

    private static void assertLookedUpOffTheHub(String host) {
        List<String> lookups = RecordingResolverProvider.lookupsOf(host);
        assertFalse(lookups.isEmpty(), "no lookup of " + host + " was recorded");
        for (String l : lookups) {
            assertTrue(l.contains(" on weft-offload-"), "a lookup ran on the wrong thread: " + l);
        }
    }

    @Test
    void streamServerBindByNameResolvesOffTheHub() throws Exception {
        String host = "stream-server" + RecordingResolverProvider.SUFFIX;
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(s -> s.writeAll(new byte[] {1})).bind(host, 0).start();
            assertEquals(InetAddress.getLoopbackAddress(), server.address().getAddress());
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                c.readFully(ByteBuffer.allocate(1));
            }
            server.stop(Duration.ofSeconds(1));
            return null;
        });
        assertLookedUpOffTheHub(host);
    }

    @Test
    void udpBindByNameResolvesOffTheHub() throws Exception {
        String host = "udp-bind" + RecordingResolverProvider.SUFFIX;
        Hub.run(() -> {
            try (UdpSocket s = UdpSocket.bind(host, 0)) {
                assertEquals(InetAddress.getLoopbackAddress(), s.localAddress().getAddress());
            }
            return null;
        });
        assertLookedUpOffTheHub(host);
    }

    @Test
    void connectByNameResolvesOffTheHub() throws Exception {
        String host = "connect" + RecordingResolverProvider.SUFFIX;
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(s -> { }).start();
            TcpSocket.connect(host, server.port(), Duration.ofSeconds(5)).close();
            server.stop(Duration.ofSeconds(1));
            return null;
        });
        assertLookedUpOffTheHub(host);
    }

    @Test
    void onlyRealIpv4LiteralsAreParsedInPlace() {
        assertTrue(Resolver.isAddressLiteral("127.0.0.1"));
        assertTrue(Resolver.isAddressLiteral("255.255.255.255"));
        assertTrue(Resolver.isAddressLiteral("0.0.0.0"));
        assertTrue(Resolver.isAddressLiteral("::1"));
        assertTrue(Resolver.isAddressLiteral("[::1]"));
        assertFalse(Resolver.isAddressLiteral("999.1.1.1"));
        assertFalse(Resolver.isAddressLiteral("1.2.3.256"));
        assertFalse(Resolver.isAddressLiteral("1.2.3"));
        assertFalse(Resolver.isAddressLiteral("01.2.3.4"));
        assertFalse(Resolver.isAddressLiteral("localhost"));
    }

    @Test
    void anOutOfRangeDottedQuadIsLookedUpOffTheHubAndDoesNotResolve() throws Exception {
        String host = "999.1.1.1";
        UnknownHostException e = Hub.run(() -> assertThrows(UnknownHostException.class,
                () -> Resolver.resolve(host, Duration.ofSeconds(10))));
        assertTrue(e.getMessage().contains(host), e.getMessage());
        assertLookedUpOffTheHub(host);
    }
}
