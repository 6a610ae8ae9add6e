package dev.weft.websocket;

import java.time.Duration;
import java.util.Objects;

/**
 * How a connection behaves, on both sides: limits, keep-alive, closing, compression.
 *
 * <pre>{@code
 * WebSocketOptions options = WebSocketOptions.builder()
 *         .maxMessageSize(16 << 20)
 *         .pingInterval(Duration.ofSeconds(30))
 *         .compression(PerMessageDeflate.enabled())
 *         .build();
 * }</pre>
 *
 * <p>Every {@link Duration} follows Weft's one rule: {@code null} = no limit; any positive duration
 * works, however long. Immutable; thread-safe.
 */
public final class WebSocketOptions {
    private static final WebSocketOptions DEFAULTS = builder().build();

    private final long maxMessageSize;
    private final Duration messageTimeout;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration closeTimeout;
    private final PerMessageDeflate compression;

    private WebSocketOptions(Builder b) {
        this.maxMessageSize = b.maxMessageSize;
        this.messageTimeout = b.messageTimeout;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.closeTimeout = b.closeTimeout;
        this.compression = b.compression;
    }

    /** The defaults: 1 MiB messages, 60 s per message, a ping after 20 s of silence, 20 s for its pong, 5 s to close, no compression. */
    public static WebSocketOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMessageSize = maxMessageSize;
        b.messageTimeout = messageTimeout;
        b.pingInterval = pingInterval;
        b.pingTimeout = pingTimeout;
        b.closeTimeout = closeTimeout;
        b.compression = compression;
        return b;
    }

    public long maxMessageSize() {
        return maxMessageSize;
    }

    public Duration messageTimeout() {
        return messageTimeout;
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration pingTimeout() {
        return pingTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    public PerMessageDeflate compression() {
        return compression;
    }

    @Override
    public String toString() {
        return "WebSocketOptions(maxMessageSize " + maxMessageSize + ", messageTimeout " + messageTimeout + ", pingInterval "
                + pingInterval + ", pingTimeout " + pingTimeout + ", closeTimeout " + closeTimeout + ", " + compression + ")";
    }

    /** Settings for {@link WebSocketOptions}; not thread-safe. */
    public static final class Builder {
        private long maxMessageSize = 1 << 20;
        private Duration messageTimeout = Duration.ofSeconds(60);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration pingTimeout = Duration.ofSeconds(20);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private PerMessageDeflate compression = PerMessageDeflate.disabled();

        private Builder() {
        }

        /**
         * The largest message accepted, in bytes (a text message's UTF-8 bytes; a compressed message's
         * size after decompression). A frame header that announces more fails the connection with 1009
         * (message too big) before anything is read or allocated. Default 1 MiB.
         */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 0 || bytes > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("maxMessageSize must be between 0 and " + (Integer.MAX_VALUE - 64)
                        + " bytes (a message is held in one array), not " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * How long a message (or control frame) may take from its first byte to its last: a peer that
         * sends one byte a second is closed with 1008 (policy violation) when it passes. Default 60 s;
         * null for no limit.
         */
        public Builder messageTimeout(Duration timeout) {
            this.messageTimeout = timeout;
            return this;
        }

        /**
         * Keep-alive: a ping is sent when nothing has arrived for this long while a fiber is in {@code
         * receive()}. Default 20 s; null for none.
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        /**
         * How long after a keep-alive ping something (its pong, or any frame) must arrive; when nothing
         * does, the connection is dropped and {@code receive()} throws with 1006 (abnormal). Default 20 s.
         */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = Objects.requireNonNull(timeout, "pingTimeout (use pingInterval(null) to turn keep-alive off)");
            return this;
        }

        /**
         * How long {@link WebSocket#close(int, String)} waits for the peer's close frame (and for the
         * TCP connection to end after it) before it drops the connection. Default 5 s.
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** permessage-deflate: offered (client) or accepted (server). Default {@link PerMessageDeflate#disabled()}. */
        public Builder compression(PerMessageDeflate compression) {
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        public WebSocketOptions build() {
            return new WebSocketOptions(this);
        }
    }
}
