package dev.weft.tls;

import dev.weft.sockets.TcpSocket;
import dev.weft.tls.internal.DelegatedTasks;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Settings for the client side of TLS connections, and the way to open them:
 *
 * <pre>{@code
 * TlsClient tls = TlsClient.builder(SSLContext.getDefault()).applicationProtocols("http/1.1").build();
 * try (TlsSocket s = tls.connect("example.org", 443, Duration.ofSeconds(5))) { ... }
 * }</pre>
 *
 * <p>Defaults: the host name is checked against the server's certificate (endpoint identification
 * {@code "HTTPS"}, as browsers and curl do) and sent as SNI; TLS 1.3 and 1.2 (what the context
 * enables); a handshake limit of 10 s; sessions are resumed when the same {@code TlsClient}'s
 * context connects to the same host and port again (the JDK's client session cache).
 *
 * <p>Thread rule: a built {@code TlsClient} is immutable and may be shared by hubs; {@link
 * #connect} and {@link #wrap} from fibers.
 */
public final class TlsClient {
    /** The default limit for a handshake. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT;

    private final SSLContext context;
    private final boolean verifyHostname;
    private final TlsSettings.Built settings;
    private final Consumer<SSLParameters> customizer;

    private TlsClient(Builder b) {
        this.context = b.context;
        this.verifyHostname = b.verifyHostname;
        this.settings = b.build0();
        this.customizer = b.customizer;
    }

    /** A client with the defaults over {@code context}. */
    public static TlsClient of(SSLContext context) {
        return builder(context).build();
    }

    /** Settings over {@code context} (its key and trust managers; {@link SSLContext#getDefault()} trusts the JDK's CAs). */
    public static Builder builder(SSLContext context) {
        return new Builder(context);
    }

    /**
     * Connects over TCP to {@code host}:{@code port} and performs the TLS handshake, checking that
     * the server's certificate is valid for {@code host}. Blocks the calling fiber.
     *
     * @param timeout for resolving and connecting (the handshake has its own limit); null for none
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (the message says why: an
     *         untrusted certificate, a certificate for another host, no protocol in common)
     * @throws java.net.SocketTimeoutException if the connect or handshake limit passed first
     * @throws IOException as {@link TcpSocket#connect(String, int, Duration)}
     */
    public TlsSocket connect(String host, int port, Duration timeout) throws IOException {
        TcpSocket tcp = TcpSocket.connect(host, port, timeout);
        try {
            return wrap(tcp, host);
        } catch (IOException | RuntimeException | Error e) {
            tcp.close();
            throw e;
        }
    }

    /** {@link #connect(String, int, Duration)} without a connect timeout. */
    public TlsSocket connect(String host, int port) throws IOException {
        return connect(host, port, null);
    }

    /**
     * Starts TLS as the client on a connected socket (STARTTLS, a proxy's CONNECT tunnel) and
     * performs the handshake; {@code host} is the name to verify and send as SNI. The returned
     * socket owns {@code tcp}: closing it closes {@code tcp}, and a failed handshake closes it too.
     * Blocks the calling fiber.
     */
    public TlsSocket wrap(TcpSocket tcp, String host) throws IOException {
        Objects.requireNonNull(host, "host");
        SSLEngine engine = context.createSSLEngine(host, tcp.remoteAddress().getPort());
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        settings.applyTo(p);
        if (customizer != null) {
            customizer.accept(p);
        }
        engine.setSSLParameters(p);
        TlsSocket s = new TlsSocket(tcp, engine, null, settings.handshakeTimeout(), settings.tasks());
        s.handshake();
        return s;
    }

    /** Where the delegated tasks ran, for measurements. */
    DelegatedTasks tasks() {
        return settings.tasks();
    }

    /** Settings for a {@link TlsClient}. Not thread-safe; {@link #build()} makes an immutable client. */
    public static final class Builder extends TlsSettings<Builder> {
        private final SSLContext context;
        private boolean verifyHostname = true;
        private Consumer<SSLParameters> customizer;

        private Builder(SSLContext context) {
            this.context = Objects.requireNonNull(context, "context");
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Whether to check that the server's certificate names the host we connect to (default on).
         * Turning it off lets anyone with any trusted certificate impersonate the server: only for
         * tests, or when {@link #parameters} installs another check.
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** Last word on each connection's {@link SSLParameters}, applied after the settings above. */
        public Builder parameters(Consumer<SSLParameters> customizer) {
            this.customizer = customizer;
            return this;
        }

        public TlsClient build() {
            return new TlsClient(this);
        }
    }
}
