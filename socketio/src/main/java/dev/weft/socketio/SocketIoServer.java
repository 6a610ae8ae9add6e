package dev.weft.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.Hub;
import dev.weft.socketio.internal.EngineSession;
import dev.weft.socketio.internal.EngineSettings;
import dev.weft.websocket.WebSocketOptions;
import dev.weft.websocket.WebSocketServer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * A Socket.IO server (protocol v5 over Engine.IO v4: what the official socket.io 4.x clients speak)
 * on Weft's HTTP server: HTTP long-polling and WebSocket with the upgrade between them, the heartbeat,
 * namespaces, events and acknowledgements with JSON and binary arguments, rooms.
 *
 * <pre>{@code
 * WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress(3000), 0); // every core: a hub per processor
 * SocketIoServer io = SocketIoServer.builder().build();
 * io.attach(http);                                   // the context /socket.io/
 * io.of("/").onConnection(socket -> {
 *     socket.on("join", (args, ack) -> socket.join((String) args.get(0)));
 *     socket.on("say", (args, ack) -> socket.to("lobby").emit("said", args.get(0)));
 * });
 * http.start();
 * }</pre>
 *
 * <p><b>Fibers.</b> Each client has a fiber that runs its handlers one at a time (they may block;
 * other clients go on), each connection's reader is its HTTP exchange's fiber, and on WebSocket a
 * writer fiber per client drains its outbox.
 *
 * <p><b>Hubs.</b> The HTTP server may serve on several hubs (one bound on an ordinary thread runs
 * on a group of a hub per processor): each connection is served by the hub that accepted it, which
 * the kernel picks. A client's session lives on the hub where its handshake ran, with its handlers
 * (always that hub) and its sockets, which join the rooms of that hub: every hub keeps its own
 * rooms, without locks. A later request of the session accepted by another hub (a polling request,
 * the WebSocket of an upgrade) hands its work to the session's hub; the connection itself stays
 * with its own hub (see {@code EngineEndpoint}). A {@link Broadcast} is encoded once, delivered to
 * the members on the emitting hub, and handed ({@link Hub#execute}) to every other hub of the
 * server, which puts it in the outboxes of its own members: a room reaches its members on every
 * hub, and one sender's broadcasts arrive in the order it made them. Calls on a socket ({@code
 * emit}, {@code join}, ...) are made on its session's hub (its handlers run there); a {@link
 * Broadcast} ({@code io.of("/").to(room).emit(...)}) may be made from any hub's fiber or any thread
 * (from a plain thread, every hub gets it handed over).
 *
 * <p><b>Slow clients.</b> Emitting never blocks: each client has an outbox of at most {@code
 * maxOutboxPackets} Engine.IO packets; a client whose outbox is full is disconnected with the reason
 * {@value EngineSession#OUTBOX_FULL}; a room broadcast is never delayed by one member.
 *
 * <p>Configuring ({@link #of}, the builder), {@link #clients()}, {@link #clientsPerHub()}, {@link
 * #disconnectAll()} and broadcasts from any thread; the rest on the hub of the session concerned.
 */
public final class SocketIoServer {
    static final ObjectMapper JSON = new ObjectMapper();
    private final EngineSettings settings;
    private final Duration upgradeTimeout;
    private final Duration connectTimeout;
    private final String path;
    private final Set<String> corsOrigins;
    private final boolean corsCredentials;
    private final WebSocketServer websockets;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    /** The hubs that served a request of this server, until they close: where broadcasts go. */
    private final Set<Hub> hubs = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    private SocketIoServer(Builder b) {
        this.settings = new EngineSettings(b.pingInterval, b.pingTimeout, b.maxHttpBufferSize, b.maxOutboxPackets);
        this.upgradeTimeout = b.upgradeTimeout;
        this.connectTimeout = b.connectTimeout;
        this.path = b.path;
        this.corsOrigins = Set.copyOf(b.corsOrigins);
        this.corsCredentials = b.corsCredentials;
        this.websockets = WebSocketServer.builder().options(WebSocketOptions.builder()
                .maxMessageSize(b.maxHttpBufferSize).pingInterval(null).build()).build();
        namespaces.put("/", new Namespace(this, "/"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Serves on {@code http} (a Weft HTTP or HTTPS server, on one hub or several) under the path
     * (default {@code /socket.io/}).
     */
    public HttpContext attach(HttpServer http) {
        EngineEndpoint endpoint = new EngineEndpoint(this, websockets);
        return http.createContext(path, endpoint::handle);
    }

    /** The namespace {@code name} ({@code /} is the default one), created on first use. */
    public Namespace of(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + name);
        }
        return namespaces.computeIfAbsent(name, n -> new Namespace(this, n));
    }

    /** Clients connected now (Engine.IO sessions), on every hub. Any thread. */
    public int clients() {
        return sessions.size();
    }

    /** Clients connected now per hub, by the hub their session lives on (hubs without any are absent). Any thread. */
    public Map<Hub, Integer> clientsPerHub() {
        Map<Hub, Integer> counts = new LinkedHashMap<>();
        for (EngineSession s : sessions.values()) {
            counts.merge(s.hub(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Disconnects every client (reason {@value SocketIoSocket#SERVER_SHUTTING_DOWN}): each on its
     * session's hub, at once on this hub, handed over to the others (whose hubs stopped are gone
     * already). Any thread; returns without waiting.
     */
    public void disconnectAll() {
        Hub here = hubHere();
        for (EngineSession s : new ArrayList<>(sessions.values())) {
            if (s.hub() == here) {
                s.closeGracefully(SocketIoSocket.SERVER_SHUTTING_DOWN);
            } else {
                try {
                    s.hub().execute(() -> s.closeGracefully(SocketIoSocket.SERVER_SHUTTING_DOWN));
                } catch (RejectedExecutionException stopped) {
                    // its hub has stopped: the session ended with it
                }
            }
        }
    }

    // ---------------------------------------------------------------- for the endpoint and clients

    Namespace namespace(String name) {
        return namespaces.get(name);
    }

    /** Notes that {@code hub} serves this server (a request ran there); it is forgotten when it closes. That hub. */
    void serving(Hub hub) {
        if (!hubs.contains(hub) && hubs.add(hub)) {
            hub.onClose(() -> hubs.remove(hub));
        }
    }

    /** The hub of the calling fiber, or null outside a fiber. */
    static Hub hubHere() {
        return dev.weft.fibers.Fiber.inFiber() ? Hub.current() : null;
    }

    /** The hubs that serve this server now. Any thread. */
    Set<Hub> hubs() {
        return hubs;
    }

    EngineSession newSession(HandshakeInfo info) {
        String sid = newId();
        EngineSession s = new EngineSession(sid, settings, () -> sessions.remove(sid));
        sessions.put(sid, s);
        new Client(this, s, info);
        return s;
    }

    EngineSession session(String sid) {
        return sessions.get(sid);
    }

    String newId() {
        byte[] b = new byte[15];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    int maxHttpBufferSize() {
        return settings.maxHttpBufferSize();
    }

    Duration upgradeTimeout() {
        return upgradeTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    boolean corsAllows(String origin) {
        return corsOrigins.contains("*") || corsOrigins.contains(origin);
    }

    boolean corsCredentials() {
        return corsCredentials;
    }

    static String json(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings for a {@link SocketIoServer}; not thread-safe. */
    public static final class Builder {
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration pingTimeout = Duration.ofSeconds(20);
        private Duration upgradeTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(45);
        private int maxHttpBufferSize = 1_000_000;
        private int maxOutboxPackets = 1024;
        private String path = "/socket.io/";
        private List<String> corsOrigins = List.of();
        private boolean corsCredentials;

        private Builder() {
        }

        /** How often the server pings each client (default 25 s, as socket.io). */
        public Builder pingInterval(Duration d) {
            this.pingInterval = positive(d, "pingInterval");
            return this;
        }

        /** How long a client may take to answer a ping before it is disconnected ("ping timeout"; default 20 s). */
        public Builder pingTimeout(Duration d) {
            this.pingTimeout = positive(d, "pingTimeout");
            return this;
        }

        /**
         * How long an upgrade to WebSocket may take, from the WebSocket's opening to the client's
         * {@code 5} (default 10 s, as socket.io): a WebSocket that sends no probe, or no upgrade after
         * it, in that time is closed (the session goes on polling; one whose polling was already
         * paused for the upgrade is closed with "transport error").
         */
        public Builder upgradeTimeout(Duration d) {
            this.upgradeTimeout = positive(d, "upgradeTimeout");
            return this;
        }

        /**
         * How long a client may stay connected without joining any namespace (default 45 s, as
         * socket.io's {@code connectTimeout}): an Engine.IO session that no namespace has admitted by
         * then (it asked for none, or was refused) is closed, its close packet sent first (the reason
         * is {@value Client#CONNECT_TIMEOUT}).
         */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /**
         * The largest polling request body and WebSocket message, in bytes (default 1,000,000, as
         * socket.io): a larger POST is answered 413 and the client disconnected; a larger WebSocket
         * message closes with 1009.
         */
        public Builder maxHttpBufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxHttpBufferSize must be positive, not " + bytes);
            }
            this.maxHttpBufferSize = bytes;
            return this;
        }

        /** The most Engine.IO packets waiting for one client before it is disconnected ("outbox full"; default 1024). */
        public Builder maxOutboxPackets(int packets) {
            if (packets < 1) {
                throw new IllegalArgumentException("maxOutboxPackets must be positive, not " + packets);
            }
            this.maxOutboxPackets = packets;
            return this;
        }

        /** The HTTP path served (default {@code /socket.io/}). */
        public Builder path(String p) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("the path starts with '/': " + p);
            }
            this.path = p;
            return this;
        }

        /**
         * CORS for pages of other origins that use polling: the origins allowed ({@code "*"} for any;
         * the request's origin is echoed back, as credentials require) and whether credentials
         * (cookies) may be sent. Default: none (same origin only).
         */
        public Builder cors(List<String> origins, boolean credentials) {
            this.corsOrigins = List.copyOf(origins);
            this.corsCredentials = credentials;
            return this;
        }

        public SocketIoServer build() {
            return new SocketIoServer(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
