package dev.weft.tls;

import dev.weft.tls.internal.DelegatedTasks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLParameters;

/**
 * The settings {@link TlsClient.Builder} and {@link TlsServer.Builder} share: TLS versions, cipher
 * suites, ALPN, the handshake limit and where the handshake's delegated tasks run. One implementation
 * for both sides, so that a fix to one is a fix to the other. Not thread-safe (a builder); the built
 * client or server keeps an immutable copy.
 *
 * @param <B> the builder, returned by every setter for chaining
 */
public abstract sealed class TlsSettings<B extends TlsSettings<B>> permits TlsClient.Builder, TlsServer.Builder {
    /** The default limit for a handshake (10 s). */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private List<String> protocols;
    private List<String> cipherSuites;
    private List<String> applicationProtocols;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private HandshakeTasks handshakeTasks = HandshakeTasks.ADAPTIVE;

    TlsSettings() {
    }

    abstract B self();

    /**
     * The TLS versions to offer (client) or accept (server), e.g. {@code "TLSv1.3", "TLSv1.2"}
     * (default: what the context enables, TLS 1.3 and 1.2).
     */
    public B protocols(String... protocols) {
        this.protocols = List.of(protocols);
        return self();
    }

    /** The cipher suites to offer (client) or accept (server) (default: the context's). */
    public B cipherSuites(String... suites) {
        this.cipherSuites = List.of(suites);
        return self();
    }

    /**
     * ALPN: the application protocols to offer (client) or that this server speaks, most preferred
     * first ({@code "h2", "http/1.1"}). A server refuses a client that offers ALPN but none of these
     * (RFC 7301's no_application_protocol); a client that offers none gets no ALPN.
     */
    public B applicationProtocols(String... protocols) {
        this.applicationProtocols = List.of(protocols);
        return self();
    }

    /**
     * The limit for a handshake (default 10 s; a server's covers reading the ClientHello too); null
     * for none.
     */
    public B handshakeTimeout(Duration timeout) {
        this.handshakeTimeout = timeout;
        return self();
    }

    /** Where the handshake's delegated tasks run (default {@link HandshakeTasks#ADAPTIVE}). */
    public B handshakeTasks(HandshakeTasks where) {
        this.handshakeTasks = Objects.requireNonNull(where, "where");
        return self();
    }

    /** An immutable copy of these settings, for a built client or server. */
    Built build0() {
        return new Built(protocols, cipherSuites, applicationProtocols, handshakeTimeout, new DelegatedTasks(handshakeTasks));
    }

    /** The settings of a built {@link TlsClient} or {@link TlsServer}. Any thread. */
    record Built(List<String> protocols, List<String> cipherSuites, List<String> applicationProtocols,
                 Duration handshakeTimeout, DelegatedTasks tasks) {
        /** Sets the versions, suites and ALPN protocols that were set (the others keep the engine's). */
        void applyTo(SSLParameters p) {
            if (protocols != null) {
                p.setProtocols(protocols.toArray(String[]::new));
            }
            if (cipherSuites != null) {
                p.setCipherSuites(cipherSuites.toArray(String[]::new));
            }
            if (applicationProtocols != null) {
                p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
            }
        }
    }
}
