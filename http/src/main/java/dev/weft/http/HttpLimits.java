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
 * {@link java.net.SocketTimeoutException} and closes the connection. At most {@code maxConnections}
 * connections are served at once; while full, accepting pauses (new connections wait in the
 * kernel's backlog).
 *
 * <p>{@link #defaults()} reads the system properties {@code weft.http.maxRequestLineBytes}, {@code
 * weft.http.maxHeaderBytes}, {@code weft.http.maxHeaderCount}, {@code weft.http.maxBodyBytes},
 * {@code weft.http.idleTimeoutMillis}, {@code weft.http.requestHeadTimeoutMillis} and {@code
 * weft.http.maxConnections}, so that servers made through the JDK's {@code HttpServer.create} can
 * be configured too; unset, the values are 8 KiB, 64 KiB, 100 fields, 64 MiB, 30 s, 10 s and 10,000.
 *
 * @param maxRequestLineBytes bytes in the request line, without its line end
 * @param maxHeaderBytes      bytes in the whole request head, request line included (also bounds a
 *                            chunked body's trailer section)
 * @param maxHeaderCount      header fields in one request head
 * @param maxBodyBytes        bytes in one request body (after de-chunking)
 * @param idleTimeout         keep-alive idle time, and the longest one body read or response write
 *                            may wait for the peer
 * @param requestHeadTimeout  the longest a request head may take to arrive, from its first byte
 * @param maxConnections      connections served at once
 */
public record HttpLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                         Duration idleTimeout, Duration requestHeadTimeout, int maxConnections) {

    public HttpLimits {
        positive("maxRequestLineBytes", maxRequestLineBytes);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxBodyBytes", maxBodyBytes);
        positive("maxConnections", maxConnections);
        positive("idleTimeout", Objects.requireNonNull(idleTimeout, "idleTimeout").toMillis());
        positive("requestHeadTimeout", Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout").toMillis());
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
                Integer.getInteger("weft.http.maxConnections", 10_000));
    }

    public HttpLimits withMaxRequestLineBytes(int v) {
        return new HttpLimits(v, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout, requestHeadTimeout, maxConnections);
    }

    public HttpLimits withMaxHeaderBytes(int v) {
        return new HttpLimits(maxRequestLineBytes, v, maxHeaderCount, maxBodyBytes, idleTimeout, requestHeadTimeout, maxConnections);
    }

    public HttpLimits withMaxHeaderCount(int v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, v, maxBodyBytes, idleTimeout, requestHeadTimeout, maxConnections);
    }

    public HttpLimits withMaxBodyBytes(long v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, v, idleTimeout, requestHeadTimeout, maxConnections);
    }

    public HttpLimits withIdleTimeout(Duration v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, v, requestHeadTimeout, maxConnections);
    }

    public HttpLimits withRequestHeadTimeout(Duration v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout, v, maxConnections);
    }

    public HttpLimits withMaxConnections(int v) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, idleTimeout, requestHeadTimeout, v);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
