package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.http.WeftHttpsServer;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a Socket.IO server may be attached: its sessions and rooms live on one hub, so an HTTP server
 * that serves on several hubs (bound on a plain thread, a group of its own) is refused with what to do
 * instead; a one-hub server is taken.
 */
@Timeout(30)
class AttachTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void aServerOnSeveralHubsIsRefusedNamingTheOneHubWays() throws Exception {
        WeftHttpServer http = WeftHttpServer.create(ANY, 0, HttpLimits.defaults(), 2);
        try {
            assertEquals(2, http.hubCount());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SocketIoServer.builder().build().attach(http));
            assertTrue(e.getMessage().contains("serves on 2 hubs")
                    && e.getMessage().contains("WeftHttpServer.create(address, backlog, limits, 1)")
                    && e.getMessage().contains("inside a fiber"), e.getMessage());
        } finally {
            http.stop(0);
        }
        WeftHttpsServer https = WeftHttpsServer.create(ANY, 0, HttpLimits.defaults(), 2);
        try {
            assertThrows(IllegalArgumentException.class, () -> SocketIoServer.builder().build().attach(https));
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aServerOnOneHubIsTaken() throws Exception {
        WeftHttpServer http = WeftHttpServer.create(ANY, 0, HttpLimits.defaults(), 1);
        try {
            assertEquals(1, http.hubCount());
            SocketIoServer.builder().build().attach(http);
        } finally {
            http.stop(0);
        }
        WeftHttpsServer https = WeftHttpsServer.create(ANY, 0, HttpLimits.defaults(), 1);
        try {
            assertEquals(1, https.hubCount());
            SocketIoServer.builder().build().attach(https);
        } finally {
            https.stop(0);
        }
    }
}
