package dev.weft.websocket;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of {@link IdleConnectionsTest}, in a JVM of its own (each JVM may have 20,000 open
 * files here): opens N connections with Weft's client, one round trip on each, prints {@code READY n},
 * then waits until its standard input says {@code close}, closes every connection with the closing
 * handshake and prints {@code CLOSED n}.
 *
 * <pre>IdleClients PORT COUNT</pre>
 */
public final class IdleClients {
    private IdleClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        URI uri = URI.create("ws://127.0.0.1:" + port + "/idle");
        Hub.run(() -> {
            List<WebSocket> open = ManyClients.open(count, () -> {
                WebSocket ws = WebSocket.connect(uri);
                ws.send("hello");
                ws.receive();
                return ws;
            });
            ManyClients.tell("READY " + open.size());
            String line = dev.weft.sockets.ThreadPool.offload(() -> new BufferedReader(new InputStreamReader(System.in)).readLine());
            if (!"close".equals(line)) {
                return;
            }
            List<Fiber<Void>> closers = new ArrayList<>();
            for (int start = 0; start < open.size(); start += ManyClients.PER_FIBER) {
                List<WebSocket> some = open.subList(start, Math.min(open.size(), start + ManyClients.PER_FIBER));
                closers.add(Fiber.spawn(() -> some.forEach(WebSocket::close)));
            }
            for (Fiber<Void> f : closers) {
                f.get();
            }
            ManyClients.tell("CLOSED " + ManyClients.closedNormally(open));
        });
    }
}
