package dev.weft.examples;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.http.WeftHttpServer;
import dev.weft.socketio.Namespace;
import dev.weft.socketio.SocketIoServer;
import dev.weft.socketio.SocketIoSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's program on Socket.IO: a chat with rooms that a browser joins. {@code GET /} is a small
 * page that uses the official {@code socket.io-client} (served as {@code /socket.io.min.js}); a
 * client emits {@code join {nick, room}} (acknowledged with the number of members) and {@code say
 * {room, text}}, which reaches every member of the room as {@code message {room, from, text}}; joins,
 * leaves and disconnects are told to the room as {@code system} lines. Each client's handlers run
 * in its own fiber. Bound on a plain thread, the server runs on a hub per processor: a client's
 * session stays on the hub of its first request, and a room's messages reach its members on every hub.
 *
 * <p>The browser client is not in this repository: it is {@code dist/socket.io.min.js} of the npm
 * package {@code socket.io-client} 4.8, taken from {@code --client-js FILE}, or from {@code
 * examples/target/npm-socketio} (installed there with {@code npm install socket.io-client@4.8} on
 * first use when npm is there).
 *
 * <pre>./weft example rooms [--backend nio|epoll|kqueue] [--port N] [--client-js FILE]   (port 8025 by default)</pre>
 */
public final class RoomsServer {
    static final String CLIENT_PACKAGE = "socket.io-client@4.8";
    /** Socket id to nick; written by the clients' fibers on every hub. */
    private final Map<String, String> nicks = new ConcurrentHashMap<>();

    private RoomsServer() {
    }

    /** Starts the server on {@code address}: on the current hub when called in a fiber, else on a hub thread of its own. */
    static WeftHttpServer start(InetSocketAddress address, byte[] clientJs) throws IOException {
        // Bound on a plain thread: a group of hubs, one per processor; in a fiber: that fiber's hub.
        WeftHttpServer http = WeftHttpServer.create(address, 0);
        SocketIoServer io = SocketIoServer.builder().build();
        io.attach(http);
        RoomsServer rooms = new RoomsServer();
        io.of("/").onConnection(rooms::connected);
        byte[] page = page();
        http.createContext("/favicon.ico", ex -> respond(ex, 204, "image/x-icon", new byte[0]));
        http.createContext("/socket.io.min.js", ex -> respond(ex, 200, "application/javascript", clientJs));
        http.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/")) {
                respond(ex, 200, "text/html; charset=utf-8", page);
            } else {
                respond(ex, 404, "text/plain", ("no route " + ex.getRequestURI().getPath() + "\n").getBytes());
            }
        });
        http.start();
        return http;
    }

    private void connected(SocketIoSocket socket) {
        Namespace ns = socket.namespace();
        socket.on("join", (args, ack) -> {
            Map<?, ?> m = (Map<?, ?>) args.get(0);
            String nick = String.valueOf(m.get("nick"));
            String room = String.valueOf(m.get("room"));
            nicks.put(socket.id(), nick);
            socket.join(room);
            ns.to(room).emit("system", nick + " joined " + room);
            if (ack != null) {
                ack.send(ns.to(room).count()); // the members on every hub
            }
        });
        socket.on("leave", (args, ack) -> {
            String room = String.valueOf(args.get(0));
            socket.leave(room);
            ns.to(room).emit("system", nick(socket) + " left " + room);
        });
        socket.on("say", (args, ack) -> {
            Map<?, ?> m = (Map<?, ?>) args.get(0);
            String room = String.valueOf(m.get("room"));
            if (socket.rooms().contains(room)) {
                ns.to(room).emit("message", Map.of("room", room, "from", nick(socket), "text", String.valueOf(m.get("text"))));
            } else {
                socket.emit("system", "join " + room + " first");
            }
        });
        socket.onDisconnect(reason -> {
            for (String room : socket.rooms()) {
                ns.to(room).emit("system", nick(socket) + " left (" + reason + ")");
            }
            nicks.remove(socket.id());
        });
    }

    private String nick(SocketIoSocket socket) {
        return nicks.getOrDefault(socket.id(), socket.id());
    }

    private static byte[] page() throws IOException {
        try (InputStream in = RoomsServer.class.getResourceAsStream("rooms/index.html")) {
            if (in == null) {
                throw new IOException("rooms/index.html is missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * The browser client: {@code file} if given, else {@code socket.io.min.js} under {@code dir}
     * (installing {@value #CLIENT_PACKAGE} there with npm when it is missing).
     *
     * @throws IOException saying what to do when neither works
     */
    static byte[] clientJs(String file, Path dir) throws IOException, InterruptedException {
        if (file != null) {
            return Files.readAllBytes(Path.of(file));
        }
        Path js = dir.resolve("node_modules/socket.io-client/dist/socket.io.min.js");
        if (!Files.exists(js)) {
            System.err.println("rooms: installing the browser client (npm install " + CLIENT_PACKAGE + ") into " + dir + " ...");
            Files.createDirectories(dir);
            int exit;
            try {
                exit = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--silent", CLIENT_PACKAGE)
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor();
            } catch (IOException noNpm) {
                exit = -1;
            }
            if (exit != 0 || !Files.exists(js)) {
                throw new IOException("the browser client socket.io.min.js is missing and 'npm install " + CLIENT_PACKAGE
                        + "' did not work; install Node and npm, or pass --client-js FILE (dist/socket.io.min.js of the npm"
                        + " package socket.io-client 4.8)");
            }
        }
        return Files.readAllBytes(js);
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("rooms", "[--port N] [--client-js FILE]", args, 8025, java.util.Set.of(),
                Map.of("--client-js", "FILE"), false);
        if (options.backend() != null) {
            System.setProperty("weft.hub", options.backend()); // the server's own hub thread picks it
        }
        byte[] client;
        try {
            client = clientJs(options.values().get("--client-js"), Path.of("examples", "target", "npm-socketio").toAbsolutePath());
        } catch (IOException e) {
            System.err.println("rooms: " + e.getMessage());
            System.exit(1);
            return;
        }
        WeftHttpServer server;
        try {
            server = start(new InetSocketAddress("127.0.0.1", options.port()), client);
        } catch (java.net.BindException inUse) {
            System.err.println("rooms: " + inUse.getMessage() + " (try --port N)");
            System.exit(1);
            return;
        }
        int actual = server.getAddress().getPort();
        Examples.onSignal(() -> "stopping: clients get " + Examples.GRACE.toSeconds() + " s, then their connections close", () -> {
            server.stop((int) Examples.GRACE.toSeconds());
            return "stopped; nothing listens on 127.0.0.1:" + actual + " any more";
        });
        System.out.println("rooms on http://127.0.0.1:" + actual + "/, " + server.hubCount() + " hub(s) (threads) sharing"
                + " the port through SO_REUSEPORT (open it in two browsers, join a room, talk). Ctrl-C or SIGTERM stops it.");
    }

}
