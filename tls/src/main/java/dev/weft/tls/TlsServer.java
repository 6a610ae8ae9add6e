package dev.weft.tls;

import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.internal.ClientHello;
import dev.weft.tls.internal.DelegatedTasks;
import dev.weft.tls.internal.HandshakeTurn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * Settings for the server side of TLS connections, and the way to serve them with a {@link
 * dev.weft.sockets.StreamServer}:
 *
 * <pre>{@code
 * TlsServer tls = TlsServer.builder(defaultContext)
 *         .serverName("api.example.org", apiContext)   // SNI: a context per name
 *         .applicationProtocols("http/1.1")            // ALPN
 *         .build();
 * StreamServer.builder(tls.handler(socket -> { ... socket.read(...) ... })).bind("0.0.0.0", 443).start();
 * // or, inside any handler that has a TcpSocket:  TlsSocket s = tls.accept(tcp);
 * }</pre>
 *
 * <p>Each connection: the server reads the ClientHello first, picks the {@link SSLContext} for the
 * name the client asked for (SNI; exact names, then {@code *.domain} wildcards, then the default
 * context), builds the engine, applies the settings and the per-connection {@link Customizer}, then
 * completes the handshake, all within the handshake timeout (default 10 s). A client that sends
 * plaintext is refused with a clear error (an HTTP client gets a {@code 400} saying the port
 * speaks TLS); the server is unharmed. TLS 1.3 sessions are resumed with the JDK's stateless
 * tickets, TLS 1.2 ones from the context's session cache.
 *
 * <p>Thread rule: a built {@code TlsServer} is immutable and may be shared by hubs; {@link #accept}
 * and the handlers run in fibers.
 */
public final class TlsServer {
    private static final System.Logger LOG = System.getLogger(TlsServer.class.getName());

    /** Adjusts one connection's {@link SSLParameters} once its ClientHello is known. */
    @FunctionalInterface
    public interface Customizer {
        /**
         * @param parameters the connection's parameters, after the builder's settings
         * @param serverName the SNI name the client asked for (lower case), or null
         * @param peer       the client's address
         */
        void customize(SSLParameters parameters, String serverName, InetSocketAddress peer);
    }

    private final SSLContext defaultContext;
    private final Map<String, SSLContext> byName;
    private final TlsSettings.Built settings;
    private final Duration handshakeTimeout;
    private final Customizer customizer;
    private final BiConsumer<InetSocketAddress, IOException> onHandshakeFailure;
    private final DelegatedTasks tasks;

    private TlsServer(Builder b) {
        this.defaultContext = b.defaultContext;
        this.byName = Map.copyOf(b.byName);
        this.settings = b.build0();
        this.handshakeTimeout = settings.handshakeTimeout();
        this.customizer = b.customizer;
        this.onHandshakeFailure = b.onHandshakeFailure;
        this.tasks = settings.tasks();
    }

    /** A server with the defaults over {@code context} (which holds the key and certificate chain). */
    public static TlsServer of(SSLContext context) {
        return builder(context).build();
    }

    /** Settings whose default context is {@code context} (used when no {@link Builder#serverName} matches). */
    public static Builder builder(SSLContext context) {
        return new Builder(context);
    }

    /**
     * Performs the server side of the TLS handshake on an accepted socket and returns the TLS
     * socket, which owns {@code tcp} (closing it closes {@code tcp}). On any failure {@code tcp} is
     * closed. Blocks the calling fiber for at most the handshake timeout.
     *
     * @throws SSLHandshakeException  if the client is not speaking TLS, or the handshake fails (the
     *                                message says why)
     * @throws SocketTimeoutException if the client did not finish the handshake in time
     */
    public TlsSocket accept(TcpSocket tcp) throws IOException {
        Timeout limit = handshakeTimeout == null ? null : Timeout.after(handshakeTimeout);
        boolean ok = false;
        HandshakeTurn turn = null;
        try {
            HelloBytes hello = new HelloBytes();
            ClientHello.Hello parsed;
            try {
                parsed = readClientHello(tcp, hello);
            } catch (FiberTimeoutException e) {
                if (limit == null || !e.is(limit)) {
                    throw e;
                }
                throw new SocketTimeoutException("TLS handshake with " + peer(tcp) + " did not finish within "
                        + handshakeTimeout.toMillis() + " ms (the handshake timeout): no complete ClientHello after "
                        + hello.buffer.position() + " bytes; the connection was closed");
            }
            turn = HandshakeTurn.ofThisHub();
            try {
                turn.take(); // the engine and its first steps are handshake computation too
            } catch (FiberTimeoutException e) {
                if (limit == null || !e.is(limit)) {
                    throw e;
                }
                throw new SocketTimeoutException("TLS handshake with " + peer(tcp) + " did not finish within "
                        + handshakeTimeout.toMillis() + " ms (the handshake timeout): still waiting for the hub's"
                        + " handshake turn behind " + turn.waiting() + " other handshakes; the connection was closed");
            }
            SSLEngine engine = engineFor(parsed.serverName(), tcp);
            TlsSocket s = new TlsSocket(tcp, engine, hello.buffer.flip(), handshakeTimeout, tasks);
            s.handshakeWithin(limit);
            ok = true;
            return s;
        } finally {
            if (turn != null) {
                turn.give();
            }
            if (limit != null) {
                limit.close();
            }
            if (!ok) {
                tcp.close();
            }
        }
    }

    /**
     * The bytes of a ClientHello read so far (write mode). Starts small, as most hellos are; grows
     * up to {@link ClientHello#MAX_WIRE_BYTES} for the large ones (a resumed session whose ticket
     * carries a client certificate chain, long ALPN lists, post-quantum key shares).
     */
    private static final class HelloBytes {
        ByteBuffer buffer = ByteBuffer.allocateDirect(TlsRecords.INITIAL_NET_IN); // becomes the connection's wire buffer

        /** Room for more bytes; false at the limit. */
        boolean makeRoom() {
            if (buffer.hasRemaining()) {
                return true;
            }
            if (buffer.capacity() >= ClientHello.MAX_WIRE_BYTES) {
                return false;
            }
            int grown = (int) Math.min((long) buffer.capacity() * 2, ClientHello.MAX_WIRE_BYTES);
            buffer = ByteBuffer.allocateDirect(grown).put(buffer.flip());
            return true;
        }
    }

    /**
     * A {@link dev.weft.sockets.StreamServer} handler that performs the handshake and then runs
     * {@code handler} with the TLS socket, closing it (with close_notify) afterwards. A failed
     * handshake (a plaintext client, a timeout, a refused certificate) is not the handler's business:
     * it goes to {@link Builder#onHandshakeFailure} (default: logged at DEBUG) and the connection is
     * closed.
     */
    public ConnectionHandler handler(TlsConnectionHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return tcp -> {
            TlsSocket tls;
            try {
                tls = accept(tcp);
            } catch (IOException e) {
                onHandshakeFailure.accept(peerAddress(tcp), e);
                return;
            }
            try (tls) {
                handler.handle(tls);
            }
        };
    }

    private ClientHello.Hello readClientHello(TcpSocket tcp, HelloBytes hello) throws IOException {
        while (true) {
            ClientHello.Result r = ClientHello.parse(hello.buffer.duplicate().flip());
            if (r instanceof ClientHello.Hello h) {
                return h;
            }
            if (r instanceof ClientHello.NotTls not) {
                if (not.http()) {
                    refuseHttp(tcp);
                }
                throw new SSLHandshakeException("the client " + peer(tcp) + " is not speaking TLS: it sent " + not.reason()
                        + (not.http() ? "; it was answered '400 Bad Request: this port speaks TLS, use https://'" : ""));
            }
            if (r instanceof ClientHello.TooLarge || !hello.makeRoom()) {
                throw new SSLHandshakeException("the client " + peer(tcp) + " sent a ClientHello of "
                        + (r instanceof ClientHello.TooLarge t ? t.bytes() + " bytes" : "more than "
                        + ClientHello.MAX_WIRE_BYTES + " bytes on the wire") + ", more than the " + ClientHello.MAX_HELLO
                        + " bytes the JDK accepts for a handshake message (jdk.tls.maxHandshakeMessageSize)");
            }
            if (tcp.read(hello.buffer) < 0) {
                throw new SSLHandshakeException("the client " + peer(tcp) + " closed the connection before sending a"
                        + " complete ClientHello (" + hello.buffer.position() + " bytes)");
            }
        }
    }

    /** What Go's net/http does: tell an HTTP client in words it shows that it used the wrong scheme. */
    private static void refuseHttp(TcpSocket tcp) {
        String body = "Client sent an HTTP request to an HTTPS server.\n";
        String response = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        try (Timeout t = Timeout.after(Duration.ofSeconds(1))) {
            tcp.writeAll(response.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException ignored) {
            // best effort: the client is told by the closed connection anyway
        }
    }

    private SSLEngine engineFor(String serverName, TcpSocket tcp) throws IOException {
        SSLContext context = contextFor(serverName);
        InetSocketAddress peer = tcp.remoteAddress();
        SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
        engine.setUseClientMode(false);
        SSLParameters p = engine.getSSLParameters();
        settings.applyTo(p);
        if (customizer != null) {
            customizer.customize(p, serverName, peer);
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** The context for an SNI name: the exact name, then {@code *.parent}, then the default. */
    SSLContext contextFor(String serverName) {
        if (serverName == null || byName.isEmpty()) {
            return defaultContext;
        }
        SSLContext exact = byName.get(serverName);
        if (exact != null) {
            return exact;
        }
        int dot = serverName.indexOf('.');
        if (dot > 0) {
            SSLContext wildcard = byName.get("*" + serverName.substring(dot));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return defaultContext;
    }

    /** Where the delegated tasks ran, for measurements. */
    DelegatedTasks tasks() {
        return tasks;
    }

    private static String peer(TcpSocket tcp) {
        return String.valueOf(peerAddress(tcp));
    }

    private static InetSocketAddress peerAddress(TcpSocket tcp) {
        try {
            return tcp.remoteAddress();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void logFailure(InetSocketAddress peer, IOException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "TLS handshake with " + peer + " failed: " + e.getMessage());
    }

    /** Settings for a {@link TlsServer}. Not thread-safe; {@link #build()} makes an immutable server. */
    public static final class Builder extends TlsSettings<Builder> {
        private final SSLContext defaultContext;
        private final Map<String, SSLContext> byName = new LinkedHashMap<>();
        private Customizer customizer;
        private BiConsumer<InetSocketAddress, IOException> onHandshakeFailure = TlsServer::logFailure;

        private Builder(SSLContext context) {
            this.defaultContext = Objects.requireNonNull(context, "context");
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * SNI: connections whose ClientHello asks for {@code name} use {@code context} (its own key
         * and certificate). {@code name} is a host name, or {@code *.domain} for any one label under
         * {@code domain}; case does not matter.
         */
        public Builder serverName(String name, SSLContext context) {
            byName.put(name.toLowerCase(Locale.ROOT), Objects.requireNonNull(context, "context"));
            return this;
        }

        /** Per-connection {@link SSLParameters} (client authentication for one name, say). */
        public Builder parameters(Customizer customizer) {
            this.customizer = customizer;
            return this;
        }

        /** Told of each handshake that failed in a {@link #handler}; runs in the connection's fiber. Default: DEBUG log. */
        public Builder onHandshakeFailure(BiConsumer<InetSocketAddress, IOException> observer) {
            this.onHandshakeFailure = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public TlsServer build() {
            return new TlsServer(this);
        }
    }
}
