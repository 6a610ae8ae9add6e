package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An emit to a room walks a snapshot of its members, rebuilt only when the membership changes: the
 * room's first member is a polling client that never polls, whose outbox overflows during an emit, so it is
 * disconnected ("outbox full") and leaves the room (its client's fiber handles the end, after the
 * emit); every WebSocket member after it gets every message once, in order, and a member that joins
 * before the 6th emit gets the 6th to the 8th (the snapshot is rebuilt when the membership changes).
 */
@Timeout(60)
class RoomFanOutTest {
    private static final int MEMBERS = 20;
    private static final int MESSAGES = 8;
    /** Before this emit one more member joins. */
    private static final int LATE = 5;

    @Test
    void aMemberLeavingInTheMiddleOfAnEmitChangesNothingForTheOthers() throws Exception {
        Hub.run(() -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), 1);
            HttpClient polling = HttpClient.newHttpClient();
            List<String> disconnects = new CopyOnWriteArrayList<>();
            try {
                SocketIoServer io = SocketIoServer.builder().maxOutboxPackets(4).build();
                io.attach(http);
                http.start();
                io.of("/").onConnection(socket -> {
                    socket.join("r");
                    socket.onDisconnect(disconnects::add);
                });
                String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/socket.io/?EIO=4&transport=";

                // the first member: polling, joins, and then never asks for what is sent to it
                String open = get(polling, base + "polling");
                String session = base + "polling&sid=" + open.substring(9, open.indexOf('"', 9));
                assertEquals("ok", ThreadPool.offload(() -> polling.send(HttpRequest.newBuilder(URI.create(session))
                        .POST(HttpRequest.BodyPublishers.ofString("40")).build(), HttpResponse.BodyHandlers.ofString())).body());

                int[][] got = new int[MEMBERS + 1][MESSAGES];
                int[] seen = new int[MEMBERS + 1];
                List<WebSocket> members = new ArrayList<>();
                List<Fiber<Void>> readers = new ArrayList<>();
                for (int m = 0; m < MEMBERS; m++) {
                    join(base, m, got, seen, members, readers);
                }
                assertEquals(MEMBERS + 1, io.of("/").to("r").count());

                for (int i = 0; i < MESSAGES; i++) {
                    if (i == LATE) {
                        join(base, MEMBERS, got, seen, members, readers); // the room changed: a new snapshot
                    }
                    io.of("/").to("r").emit("m", i);
                    int sent = i + 1;
                    await(() -> java.util.stream.IntStream.range(0, MEMBERS).allMatch(m -> seen[m] == sent)
                            && seen[MEMBERS] == Math.max(0, sent - LATE));
                }
                assertEquals(List.of(SocketIoSocket.OUTBOX_FULL), disconnects, "the polling member, during the 4th emit");
                assertEquals(MEMBERS + 1, io.of("/").to("r").count());
                for (int m = 0; m < MEMBERS; m++) {
                    assertEquals("[0, 1, 2, 3, 4, 5, 6, 7]", java.util.Arrays.toString(got[m]), "member " + m);
                }
                assertEquals("[5, 6, 7, 0, 0, 0, 0, 0]", java.util.Arrays.toString(got[MEMBERS]), "the member that joined late");
                for (WebSocket ws : members) {
                    ws.close();
                }
                for (Fiber<Void> f : readers) {
                    f.get();
                }
            } finally {
                ThreadPool.offload(() -> {
                    polling.close();
                    return null;
                });
                http.stop(0);
            }
            return null;
        });
    }

    /** Connects member {@code m} over WebSocket (it joins room r on connect) with a reader fiber that records what it gets. */
    private static void join(String base, int m, int[][] got, int[] seen, List<WebSocket> members, List<Fiber<Void>> readers)
            throws Exception {
        WebSocket ws = WebSocket.connect(URI.create("ws" + base.substring(4) + "websocket"));
        assertTrue(text(ws).startsWith("0{"));
        ws.send("40");
        assertTrue(text(ws).startsWith("40{"));
        members.add(ws);
        readers.add(Fiber.spawn(() -> {
            try {
                while (true) {
                    String p = text(ws);
                    assertTrue(p.startsWith("42[\"m\","), p);
                    got[m][seen[m]++] = Integer.parseInt(p.substring(7, p.length() - 1));
                }
            } catch (WebSocketClosedException end) {
                // the test closes it
            }
        }));
    }

    private static String get(HttpClient http, String url) throws Exception {
        return ThreadPool.offload(() -> http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).body();
    }

    private static String text(WebSocket ws) throws Exception {
        return ((Message.Text) ws.receive()).text();
    }

    /** Waits (at most 10 s, checking every millisecond) until {@code done}. */
    private static void await(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the members did not get the message within 10 s");
            Fiber.sleep(Duration.ofMillis(1));
        }
    }
}
