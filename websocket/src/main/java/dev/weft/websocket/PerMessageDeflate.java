package dev.weft.websocket;

/**
 * The {@code permessage-deflate} extension (RFC 7692) as this side offers it (client) or accepts it
 * (server): off by default. With {@link #enabled()} a server accepts the offers browsers make ({@code
 * permessage-deflate; client_max_window_bits}) and a client offers {@code permessage-deflate}, with
 * context takeover both ways unless a side asks otherwise: the compression window carries over from
 * one message to the next, which is what makes small, similar messages (chat, JSON events) compress
 * well.
 *
 * <p>Cost: a connection that compresses keeps zlib's state between messages, about 256 KiB of native
 * memory for sending and 40 KiB for receiving (allocated at the first compressed message, freed at
 * close). {@link #withServerNoContextTakeover(boolean)} lets a server drop its side of that between
 * messages. {@code java.util.zip} always uses a 32 KiB window, so an offer that limits the server's
 * window ({@code server_max_window_bits} below 15) is declined (the connection then runs without
 * compression), and a client does not offer {@code client_max_window_bits}, which would let the server
 * limit the client's window.
 *
 * <p>Immutable; thread-safe.
 */
public final class PerMessageDeflate {
    private static final PerMessageDeflate DISABLED = new PerMessageDeflate(false, false, false);
    private static final PerMessageDeflate ENABLED = new PerMessageDeflate(true, false, false);

    private final boolean enabled;
    private final boolean serverNoContextTakeover;
    private final boolean clientNoContextTakeover;

    private PerMessageDeflate(boolean enabled, boolean serverNoContextTakeover, boolean clientNoContextTakeover) {
        this.enabled = enabled;
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.clientNoContextTakeover = clientNoContextTakeover;
    }

    /** No compression (the default): not offered, and declined when offered. */
    public static PerMessageDeflate disabled() {
        return DISABLED;
    }

    /** Compression, negotiated with context takeover both ways unless the peer asks otherwise. */
    public static PerMessageDeflate enabled() {
        return ENABLED;
    }

    /**
     * The server compresses each message with a fresh window ({@code server_no_context_takeover}):
     * a client offers it; a server answers with it even when the client did not ask, which saves the
     * server's 256 KiB of zlib state per idle connection at some compression ratio.
     */
    public PerMessageDeflate withServerNoContextTakeover(boolean on) {
        return new PerMessageDeflate(true, on, clientNoContextTakeover);
    }

    /**
     * The client compresses each message with a fresh window ({@code client_no_context_takeover}):
     * a client offers it; a server answers with it even when the client did not ask.
     */
    public PerMessageDeflate withClientNoContextTakeover(boolean on) {
        return new PerMessageDeflate(true, serverNoContextTakeover, on);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public boolean serverNoContextTakeover() {
        return serverNoContextTakeover;
    }

    public boolean clientNoContextTakeover() {
        return clientNoContextTakeover;
    }

    @Override
    public String toString() {
        return !enabled ? "PerMessageDeflate(disabled)" : "PerMessageDeflate(enabled" + (serverNoContextTakeover
                ? ", server_no_context_takeover" : "") + (clientNoContextTakeover ? ", client_no_context_takeover" : "") + ")";
    }
}
