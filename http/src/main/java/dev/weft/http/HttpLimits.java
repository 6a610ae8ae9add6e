package dev.weft.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits a {@link WeftHttpServer} enforces on every connection. Immutable; change one with the
 * {@code with…} methods:
 *
 * <pre>{@code
 * HttpLimits limits = HttpLimits.defaults().withMaxBodyBytes(1 << 20).withIdleTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>What a client gets when it passes one: a request line longer than {@code maxRequestLineBytes}
 * gets {@code 414}; a request head (request line and headers) longer than {@code maxHeaderBytes} or
 * with more than {@code maxHeaderCount} fields gets {@code 431}; a body larger than {@code
 * maxBodyBytes} gets {@code 413} (at once when its {@code Content-Length} says so, otherwise when the
 * handler reads past the limit); a request head not complete {@code requestHeadTimeout} after its
 * first byte arrived (a slowloris client) gets {@code 408}. The connection is closed after each of
 * these. A keep-alive connection with no request for {@code idleTimeout} is closed silently, and a
 * body read or a response write that waits longer than {@code idleTimeout} for the peer fails with
 * {@link java.net.SocketTimeoutException} and closes the connection.
 *
 * <p><b>Slow clients.</b> A request body must arrive at {@code minDataRate} bytes per second or
 * faster, counted over the time the server waits for it, after a {@code dataRateGrace}; slower gets
 * {@code 408} and a closed connection (a slow POST cannot hold its slot for long). Each response write
 * of up to 16 KiB must be read by the client within {@code dataRateGrace} plus its size at {@code
 * minDataRate}; a slower reader's connection is closed (the handler's write throws {@link
 * java.net.SocketTimeoutException}). {@code minDataRate} 0 turns both off. The defaults are Kestrel's:
 * 240 bytes/s after 5 s.
 *
 * <p><b>Connection slots.</b> At most {@code maxConnections} connections are served at once. When
 * all are taken and another client connects, the connection idle longest (waiting for its next
 * request, for a second or more) is closed to make room, as nginx does; if none is, the client waits
 * until a connection ends. At most {@code maxConnectionsPerPeer} come from one IP address;
 * one more is closed at once.
 *
 * <p>{@link #defaults()} reads the system properties {@code weft.http.maxRequestLineBytes}, {@code
 * weft.http.maxHeaderBytes}, {@code weft.http.maxHeaderCount}, {@code weft.http.maxBodyBytes},
 * {@code weft.http.idleTimeoutMillis}, {@code weft.http.requestHeadTimeoutMillis}, {@code
 * weft.http.maxConnections}, {@code weft.http.minDataRate}, {@code weft.http.dataRateGraceMillis}
 * and {@code weft.http.maxConnectionsPerPeer}, so that servers made through the JDK's {@code
 * HttpServer.create} can be configured too; unset, the values are 8 KiB, 64 KiB, 100 fields, 64 MiB,
 * 30 s, 10 s, 10,000, 240 bytes/s, 5 s and unlimited ({@link Integer#MAX_VALUE}).
 *
 * @param maxRequestLineBytes   bytes in the request line, without its line end
 * @param maxHeaderBytes        bytes in the whole request head, request line included (also bounds a
 *                              chunked body's trailer section, and its chunk extensions)
 * @param maxHeaderCount        header fields in one request head
 * @param maxBodyBytes          bytes in one request body (after de-chunking)
 * @param idleTimeout           keep-alive idle time, and the longest one body read or response write
 *                              may wait for the peer
 * @param requestHeadTimeout    the longest a request head may take to arrive, from its first byte
 * @param maxConnections        connections served at once
 * @param minDataRate           bytes per second a request body and a response must move at least
 *                              (after the grace); 0 for no minimum
 * @param dataRateGrace         how long the transfer may be slower before the minimum applies
 * @param maxConnectionsPerPeer connections from one IP address at once
 */
public record HttpLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                         Duration idleTimeout, Duration requestHeadTimeout, int maxConnections, long minDataRate,
                         Duration dataRateGrace, int maxConnectionsPerPeer) {

    public HttpLimits {
        positive("maxRequestLineBytes", maxRequestLineBytes);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxBodyBytes", maxBodyBytes);
        positive("maxConnections", maxConnections);
        positive("maxConnectionsPerPeer", maxConnectionsPerPeer);
        positive("idleTimeout", Objects.requireNonNull(idleTimeout, "idleTimeout").toMillis());
        positive("requestHeadTimeout", Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout").toMillis());
        if (minDataRate < 0) {
            throw new IllegalArgumentException("minDataRate must be 0 (none) or positive, not " + minDataRate);
        }
        if (Objects.requireNonNull(dataRateGrace, "dataRateGrace").isNegative()) {
            throw new IllegalArgumentException("dataRateGrace must not be negative: " + dataRateGrace);
        }
        if (maxRequestLineBytes > maxHeaderBytes) {
            throw new IllegalArgumentException("maxRequestLineBytes (" + maxRequestLineBytes
                    + ") must not exceed maxHeaderBytes (" + maxHeaderBytes + "), which includes the request line");
        }
    }

    /** The defaults, each overridable by its {@code weft.http.*} system property (see the class comment). */
    public static HttpLimits defaults() {
        return new HttpLimits(
                Integer.getInteger("weft.http.maxRequestLineBytes", 8 * 1024),
                Integer.getInteger("weft.http.maxHeaderBytes", 64 * 1024),
                Integer.getInteger("weft.http.maxHeaderCount", 100),
                Long.getLong("weft.http.maxBodyBytes", 64L * 1024 * 1024),
                Duration.ofMillis(Long.getLong("weft.http.idleTimeoutMillis", 30_000)),
                Duration.ofMillis(Long.getLong("weft.http.requestHeadTimeoutMillis", 10_000)),
                Integer.getInteger("weft.http.maxConnections", 10_000),
                Long.getLong("weft.http.minDataRate", 240),
                Duration.ofMillis(Long.getLong("weft.http.dataRateGraceMillis", 5_000)),
                Integer.getInteger("weft.http.maxConnectionsPerPeer", Integer.MAX_VALUE));
    }

    public HttpLimits withMaxRequestLineBytes(int v) {
        return new HttpLimits(v, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout, requestHeadTimeout,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withMaxHeaderBytes(int v) {
        return new HttpLimits(maxRequestLineBytes, v, maxHeaderCount, maxBodyBytes, idleTimeout, requestHeadTimeout,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withMaxHeaderCount(int v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, v, maxBodyBytes, idleTimeout, requestHeadTimeout,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withMaxBodyBytes(long v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, v, idleTimeout, requestHeadTimeout,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withIdleTimeout(Duration v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, v, requestHeadTimeout,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withRequestHeadTimeout(Duration v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout, v,
                maxConnections, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    public HttpLimits withMaxConnections(int v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout,
                requestHeadTimeout, v, minDataRate, dataRateGrace, maxConnectionsPerPeer);
    }

    /** The minimum rate in bytes per second (0: none) and its grace; see the class comment. */
    public HttpLimits withMinDataRate(long bytesPerSecond, Duration grace) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout,
                requestHeadTimeout, maxConnections, bytesPerSecond, grace, maxConnectionsPerPeer);
    }

    public HttpLimits withMaxConnectionsPerPeer(int v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout,
                requestHeadTimeout, maxConnections, minDataRate, dataRateGrace, v);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
