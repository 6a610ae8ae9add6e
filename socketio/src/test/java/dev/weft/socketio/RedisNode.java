package dev.weft.socketio;

import dev.weft.fibers.Hub;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Socket.IO server sharing its rooms through Redis, for {@link RedisAdapterTest}: events {@code
 * join room} (acknowledged), {@code hubs room} (acknowledged with the number of hubs on which
 * clients joined that room) and {@code say room text} (to the room's members on every server as
 * {@code said text}; when Redis is gone the sender gets {@code say-failed} with the error). As a
 * program (the second server process): {@code RedisNode REDIS_PORT} binds on its main thread, so
 * the server runs on a group of two hubs and the adapter on a hub of its own, prints {@code PORT n}
 * once subscribed and runs until its standard input closes.
 */
final class RedisNode {
    static final Duration RETRY = Duration.ofMillis(200);

    private RedisNode() {
    }

    /** The hubs on which clients joined each room. */
    private static final Map<String, Set<Hub>> JOINED_ON = new ConcurrentHashMap<>();

    /**
     * Starts a server with the adapter: in a fiber, both on the current hub; on an ordinary thread,
     * the server on {@code hubs} hubs and the adapter on a hub of its own.
     */
    static WeftHttpServer start(int redisPort, RedisAdapter[] adapter, int hubs) throws Exception {
        WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), hubs);
        SocketIoServer io = SocketIoServer.builder().build();
        io.attach(http);
        io.of("/").onConnection(socket -> {
            socket.on("join", (args, ack) -> {
                socket.join((String) args.get(0));
                JOINED_ON.computeIfAbsent((String) args.get(0), r -> ConcurrentHashMap.newKeySet()).add(Hub.current());
                ack.send("joined", args.get(0));
            });
            socket.on("hubs", (args, ack) -> ack.send(JOINED_ON.getOrDefault((String) args.get(0), Set.of()).size()));
            socket.on("say", (args, ack) -> {
                try {
                    socket.namespace().to((String) args.get(0)).emit("said", args.get(1));
                } catch (UncheckedIOException redisGone) {
                    socket.emit("say-failed", redisGone.getMessage());
                }
            });
        });
        adapter[0] = RedisAdapter.start(io, "127.0.0.1", redisPort, "weft-test-rooms", RETRY);
        http.start();
        return http;
    }

    public static void main(String[] args) throws Exception {
        int redisPort = Integer.parseInt(args[0]);
        RedisAdapter[] adapter = new RedisAdapter[1];
        WeftHttpServer http = start(redisPort, adapter, 2);
        if (http.hubCount() != 2) {
            throw new AssertionError("the second server runs on " + http.hubCount() + " hubs, not 2");
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!adapter[0].isSubscribed() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.println("PORT " + http.getAddress().getPort());
        System.out.flush();
        System.in.readAllBytes();
        adapter[0].close();
        http.stop(0);
    }
}
