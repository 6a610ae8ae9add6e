package dev.weft.socketio;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.socketio.internal.EngineSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server the client tests talk to: a Weft HTTP server on 127.0.0.1 with Socket.IO, events for
 * every scenario of the clients' scripts (echo with an ack, rooms, binary, acks from the server, a
 * dropped transport, a kick) and the namespace {@code /admin} that wants the token "secret".
 * Failures of handlers are collected in {@link #failures}. Create it in a fiber of the hub that serves
 * (one hub), or on a plain thread with a number of hubs (a group of its own). On several hubs a
 * filter counts the requests of a session that another hub than the session's served ({@link
 * #crossHubPolls}, {@link #crossHubPosts}, {@link #crossHubWebSockets}).
 */
final class ChatApp implements AutoCloseable {
    final WeftHttpServer http;
    final SocketIoServer io;
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final List<String> disconnects = new CopyOnWriteArrayList<>();
    final AtomicInteger crossHubPolls = new AtomicInteger();
    final AtomicInteger crossHubPosts = new AtomicInteger();
    final AtomicInteger crossHubWebSockets = new AtomicInteger();

    ChatApp(SocketIoServer.Builder settings) throws IOException {
        this(settings, 1);
    }

    ChatApp(SocketIoServer.Builder settings, int hubs) throws IOException {
        http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, HttpLimits.defaults(), hubs);
        io = settings.build();
        io.attach(http).getFilters().add(Filter.beforeHandler("counts cross-hub requests", this::countCrossHub));
        io.of("/").onConnection(this::wire);
        io.of("/admin").use(socket -> {
            Object token = socket.auth() instanceof Map<?, ?> m ? m.get("token") : null;
            if (!"secret".equals(token)) {
                throw new ConnectRefusedException("not authorized", Map.of("reason", "bad token"));
            }
        }).onConnection(socket -> socket.on("whoami", (args, ack) ->
                ack.send(socket.namespace().name(), ((Map<?, ?>) socket.auth()).get("token"))));
        http.start();
    }

    private void wire(SocketIoSocket socket) {
        socket.onDisconnect(disconnects::add);
        socket.on("echo", (args, ack) -> {
            if (ack != null) {
                ack.send(args.toArray());
            } else {
                socket.emit("echo", args.toArray());
            }
        });
        socket.on("ping-me", (args, ack) -> socket.emit("pong-you", Map.of("n", ((Integer) args.get(0)) + 1), "text"));
        socket.on("join", (args, ack) -> {
            socket.join((String) args.get(0));
            ack.send("joined", args.get(0));
        });
        socket.on("leave", (args, ack) -> {
            socket.leave((String) args.get(0));
            ack.send("left", args.get(0));
        });
        socket.on("say", (args, ack) -> socket.namespace().to((String) args.get(0)).emit("said", args.get(1)));
        socket.on("ask", (args, ack) -> {
            List<Object> answer = socket.emitWithAck(Duration.ofSeconds(5), "question", "what?");
            socket.emit("answered", answer);
        });
        socket.on("ask-silent", (args, ack) -> {
            try {
                socket.emitWithAck(Duration.ofMillis(300), "silent");
                failures.add(new AssertionError("'silent' was acknowledged"));
            } catch (AckTimeoutException expected) {
                socket.emit("timed-out", expected.getMessage());
            }
        });
        socket.on("bin", (args, ack) -> {
            byte[] in = (byte[]) args.get(0);
            byte[] reversed = new byte[in.length];
            for (int i = 0; i < in.length; i++) {
                reversed[i] = in[in.length - 1 - i];
            }
            Map<?, ?> nested = (Map<?, ?>) args.get(1);
            ack.send(reversed, Map.of("inner", nested.get("inner"), "size", in.length));
        });
        socket.on("drop", (args, ack) -> socket.closeTransport());
        socket.on("whereami", (args, ack) -> ack.send(HubGroup.current() == null ? 0 : HubGroup.current().indexOf(Hub.current()),
                Map.of("polls", crossHubPolls.get(), "posts", crossHubPosts.get(), "websockets", crossHubWebSockets.get())));
        socket.on("count", (args, ack) -> ack.send(socket.namespace().to((String) args.get(0)).count()));
        socket.on("everyone-from-a-thread", (args, ack) -> {
            ThreadPool.offload(() -> { // a plain thread of the pool
                io.of("/").emit("everyone", args.get(0));
                return null;
            });
            ack.send("sent");
        });
        socket.on("kick", (args, ack) -> socket.disconnect(true));
    }

    private void countCrossHub(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        int at = query == null ? -1 : query.indexOf("sid=");
        if (at < 0) {
            return;
        }
        int end = query.indexOf('&', at);
        EngineSession s = io.session(query.substring(at + 4, end < 0 ? query.length() : end));
        if (s == null || s.hub() == Hub.current()) {
            return;
        }
        if (query.contains("transport=websocket")) {
            crossHubWebSockets.incrementAndGet();
        } else if ("POST".equals(ex.getRequestMethod())) {
            crossHubPosts.incrementAndGet();
        } else {
            crossHubPolls.incrementAndGet();
        }
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    HttpServer server() {
        return http;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
