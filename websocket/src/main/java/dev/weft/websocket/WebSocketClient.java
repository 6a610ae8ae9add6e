package dev.weft.websocket;

import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.Connection;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.TlsClient;
import dev.weft.websocket.internal.ClientHandshake;
import dev.weft.websocket.internal.Endpoint;
import dev.weft.websocket.internal.ExtensionHeader;
import dev.weft.websocket.internal.HttpHead;
import dev.weft.websocket.internal.ServerUpgrade;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Settings for opening WebSocket connections, and the way to open them ({@link #connect(URI)}, or
 * {@link WebSocket#connect(URI, WebSocketClient)}):
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .subprotocols("chat.v2")
 *         .header("Authorization", "Bearer " + token)
 *         .connectTimeout(Duration.ofSeconds(5))
 *         .options(WebSocketOptions.builder().compression(PerMessageDeflate.enabled()).build())
 *         .build();
 * try (WebSocket ws = client.connect(URI.create("wss://example.org/chat"))) { ... }
 * }</pre>
 *
 * <p>{@code wss://} goes through the {@code tls} module's {@link TlsClient}: by default one over
 * {@link SSLContext#getDefault()} (the JDK's trusted CAs, host name checked against the certificate);
 * {@link Builder#tls(TlsClient)} sets another (a private CA, client certificates, ALPN).
 *
 * <p>Immutable and thread-safe; {@link #connect} from fibers.
 */
public final class WebSocketClient {
    private static final WebSocketClient DEFAULTS = builder().build();
    /** Headers the handshake writes itself; {@link Builder#header} refuses them. */
    private static final Set<String> OWN_HEADERS = Set.of("host", "upgrade", "connection", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions", "content-length", "transfer-encoding");

    private final Duration connectTimeout;
    private final List<String> subprotocols;
    private final Map<String, List<String>> headers;
    private final TlsClient tls;
    private final WebSocketOptions options;

    private WebSocketClient(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.subprotocols = b.subprotocols;
        Map<String, List<String>> copy = HttpHead.newHeaders();
        b.headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.headers = java.util.Collections.unmodifiableMap(copy);
        this.tls = b.tls;
        this.options = b.options;
    }

    /** A 10 s connect timeout, no subprotocols or extra headers, the default TLS context, {@link WebSocketOptions#defaults()}. */
    public static WebSocketClient defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a connection to {@code uri} ({@code ws://host[:port]/path?query} or {@code wss://...}):
     * resolves the host off the hub, connects over TCP, performs the TLS handshake for {@code wss},
     * and the WebSocket opening handshake. Blocks the calling fiber until the connection is open, the
     * connect timeout passes, or it fails.
     *
     * @throws WebSocketHandshakeException if the server did not answer 101 (its status and headers are
     *         in the exception; a redirect is reported, not followed) or answered in a way RFC 6455 forbids
     * @throws SocketTimeoutException if the connect timeout passed first (everything opened is closed)
     * @throws java.net.ConnectException if the server refused the connection
     * @throws java.net.UnknownHostException if the host name does not resolve
     * @throws javax.net.ssl.SSLHandshakeException if the TLS handshake of a {@code wss} URI failed (the message says why)
     * @throws IllegalArgumentException if {@code uri} is not a ws/wss URI with a host, or has a fragment
     */
    public WebSocket connect(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a WebSocket URI starts with ws:// or wss://, not '" + uri + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the WebSocket URI '" + uri + "' has no host");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a WebSocket URI must not have a fragment (#...): '" + uri + "'");
        }
        boolean secure = scheme.equals("wss");
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        int port = uri.getPort() < 0 ? (secure ? 443 : 80) : uri.getPort();
        Timeout limit = connectTimeout == null ? null : Timeout.after(connectTimeout);
        TcpSocket tcp = null;
        Connection stream = null;
        boolean ok = false;
        try {
            tcp = TcpSocket.connect(host, port);
            tcp.setNoDelay(true);
            if (secure) {
                stream = tls().wrap(tcp, host);
            } else {
                stream = tcp;
            }
            ClientHandshake.Result r = ClientHandshake.perform(stream, uri, subprotocols, headers, options.compression());
            Endpoint endpoint = new Endpoint(stream, true, options, r.deflate(), r.after());
            ok = true;
            return new WebSocket(endpoint, r.subprotocol(), r.extensions(), r.response().headers(), uri.toString());
        } catch (FiberTimeoutException e) {
            if (limit == null || !e.is(limit)) {
                throw e;
            }
            throw new SocketTimeoutException("WebSocket connect to " + uri + " did not complete within "
                    + connectTimeout.toMillis() + " ms (WebSocketClient connectTimeout); everything opened was closed");
        } finally {
            if (limit != null) {
                limit.close();
            }
            if (!ok) {
                if (stream != null) {
                    stream.close();
                } else if (tcp != null) {
                    tcp.close();
                }
            }
        }
    }

    private TlsClient tls() throws IOException {
        if (tls != null) {
            return tls;
        }
        try {
            return DefaultTls.CLIENT.get(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("this JDK has no default TLS context for wss://; set one with WebSocketClient.Builder.tls", e);
        }
    }

    /** One default {@link TlsClient} for all clients, so that TLS sessions are resumed across them. */
    private static final class DefaultTls {
        static final DefaultTls CLIENT = new DefaultTls();
        private volatile TlsClient client;

        TlsClient get(SSLContext context) {
            TlsClient c = client;
            if (c == null) {
                c = TlsClient.of(context);
                client = c;
            }
            return c;
        }
    }

    /** The connection settings of every connection this client opens. */
    public WebSocketOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "WebSocketClient(connectTimeout " + connectTimeout + ", subprotocols " + subprotocols + ", " + options + ")";
    }

    /** Settings for a {@link WebSocketClient}; not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private List<String> subprotocols = List.of();
        private final Map<String, List<String>> headers = HttpHead.newHeaders();
        private TlsClient tls;
        private WebSocketOptions options = WebSocketOptions.defaults();

        private Builder() {
        }

        /** The limit for resolving, connecting, the TLS handshake and the WebSocket handshake together. Default 10 s; null for none. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** The subprotocols to offer, most preferred first ({@code Sec-WebSocket-Protocol}). */
        public Builder subprotocols(String... names) {
            this.subprotocols = ServerUpgrade.checkSubprotocols(names);
            return this;
        }

        /**
         * An extra header for the upgrade request ({@code Authorization}, {@code Cookie}, {@code
         * Origin}, {@code User-Agent} ...); may be given several times. The handshake's own headers
         * (Host, Upgrade, Connection, Sec-WebSocket-*) cannot be set here.
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(value, "value");
            if (!ExtensionHeader.isToken(name) || OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("'" + name + "' cannot be an extra header: " + (ExtensionHeader.isToken(name)
                        ? "the handshake sets it itself" : "not a header name"));
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("the value of header '" + name + "' has a line break");
            }
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        /** The TLS settings for {@code wss://} (trust, client certificate, protocols, handshake timeout). */
        public Builder tls(TlsClient tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The connection settings (limits, keep-alive, compression). */
        public Builder options(WebSocketOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public WebSocketClient build() {
            return new WebSocketClient(this);
        }
    }
}
