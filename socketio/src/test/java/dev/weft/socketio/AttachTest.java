package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.http.WeftHttpsServer;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A Socket.IO server attaches to an HTTP or HTTPS server on one hub or on several (its own group). */
@Timeout(30)
class AttachTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void serversOnOneHubAndOnSeveralAreTaken() throws Exception {
        for (int hubs : new int[] {1, 2}) {
            WeftHttpServer http = WeftHttpServer.create(ANY, 0, HttpLimits.defaults(), hubs);
            try {
                assertEquals(hubs, http.hubCount());
                SocketIoServer.builder().build().attach(http);
            } finally {
                http.stop(0);
            }
            WeftHttpsServer https = WeftHttpsServer.create(ANY, 0, HttpLimits.defaults(), hubs);
            try {
                assertEquals(hubs, https.hubCount());
                SocketIoServer.builder().build().attach(https);
            } finally {
                https.stop(0);
            }
        }
    }
}
