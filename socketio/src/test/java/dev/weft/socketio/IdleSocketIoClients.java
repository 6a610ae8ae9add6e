package dev.weft.socketio;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.websocket.ManyClients;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of {@link IdleSocketIoConnectionsTest}, in a JVM of its own (each JVM may have
 * 20,000 open files here): opens N Socket.IO connections on the WebSocket transport with Weft's
 * WebSocket client speaking Engine.IO v4 (open packet, CONNECT to {@code /}), each with a fiber that
 * answers the server's pings and counts the events {@code all} it gets; prints {@code READY n}. Then,
 * line by line on its standard input: {@code stats} prints {@code STATS pongs broadcasts} (totals;
 * the second is how many connections answered at least one ping), {@code await-close} waits until
 * the server has closed every connection (each reader fiber answers the closing handshake) and prints
 * {@code CLOSED n} (how many were closed with 1000).
 *
 * <pre>IdleSocketIoClients PORT COUNT</pre>
 */
public final class IdleSocketIoClients {
    private IdleSocketIoClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        URI uri = URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket");
        AtomicInteger pongs = new AtomicInteger();
        AtomicInteger pongedOnce = new AtomicInteger();
        AtomicInteger broadcasts = new AtomicInteger();
        Hub.run(() -> {
            List<Fiber<Void>> readers = new ArrayList<>(count);
            List<WebSocket> open = ManyClients.open(count, () -> {
                WebSocket ws = WebSocket.connect(uri);
                expect(ws, "0{");
                ws.send("40");
                expect(ws, "40{");
                readers.add(Fiber.spawn(() -> {
                    boolean ponged = false;
                    try {
                        while (true) {
                            String p = ((Message.Text) ws.receive()).text();
                            if (p.equals("2")) {
                                ws.send("3");
                                pongs.incrementAndGet();
                                if (!ponged) {
                                    ponged = true;
                                    pongedOnce.incrementAndGet();
                                }
                            } else if (p.startsWith("42[\"all\"")) {
                                broadcasts.incrementAndGet();
                            }
                        }
                    } catch (WebSocketClosedException closed) {
                        // the end
                    }
                }));
                return ws;
            });
            ManyClients.tell("READY " + open.size());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            while ("stats".equals(ThreadPool.offload(in::readLine))) {
                ManyClients.tell("STATS " + pongs.get() + " " + pongedOnce.get() + " " + broadcasts.get());
            }
            for (Fiber<Void> f : readers) {
                f.get();
            }
            ManyClients.tell("CLOSED " + ManyClients.closedNormally(open));
        });
    }

    private static void expect(WebSocket ws, String prefix) throws IOException {
        String p = ((Message.Text) ws.receive()).text();
        if (!p.startsWith(prefix)) {
            throw new IOException("expected a packet starting with " + prefix + " but got " + p);
        }
    }
}
