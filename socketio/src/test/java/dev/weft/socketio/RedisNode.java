package dev.weft.socketio;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.ThreadPool;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One Socket.IO server sharing its rooms through Redis, for {@link RedisAdapterTest}: events {@code
 * join room} (acknowledged) and {@code say room text} (to the room's members on every server as
 * {@code said text}; when Redis is gone the sender gets {@code say-failed} with the error). As a
 * program (the second server process): {@code RedisNode REDIS_PORT} prints {@code PORT n} once
 * subscribed and runs until its standard input closes.
 */
final class RedisNode {
    static final Duration RETRY = Duration.ofMillis(200);

    private RedisNode() {
    }

    /** Starts a server with the adapter on the current hub. */
    static WeftHttpServer start(int redisPort, RedisAdapter[] adapter) throws Exception {
        WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        SocketIoServer io = SocketIoServer.builder().build();
        io.attach(http);
        io.of("/").onConnection(socket -> {
            socket.on("join", (args, ack) -> {
                socket.join((String) args.get(0));
                ack.send("joined", args.get(0));
            });
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
        Hub.run(() -> {
            RedisAdapter[] adapter = new RedisAdapter[1];
            WeftHttpServer http = start(redisPort, adapter);
            while (!adapter[0].isSubscribed()) {
                Fiber.sleep(Duration.ofMillis(20));
            }
            System.out.println("PORT " + http.getAddress().getPort());
            System.out.flush();
            Event stdinClosed = new Event();
            Fiber.spawn(() -> {
                ThreadPool.offload(() -> System.in.readAllBytes());
                stdinClosed.set();
            });
            stdinClosed.await();
            adapter[0].close();
            http.stop(0);
        });
    }
}
