package dev.weft.http.internal;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.http.HttpLimits;
import dev.weft.sockets.Connection;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * {@link HttpLimits#minDataRate()} on one connection: the slowest a request body may arrive and a
 * response may be read, so that a slow client cannot hold a connection slot for as long as it likes
 * (a slow POST, a reader that takes one byte per idle period).
 *
 * <p>Reading a body: the client is given the grace plus the time its bytes so far are worth at the
 * minimum rate, and is charged only the time the server waits for it (not the time the handler
 * spends between reads); the next blocking read may wait what is left of that credit (at most the
 * idle timeout). Running out is a {@code 408}. This is Kestrel's {@code MinRequestBodyDataRate}.
 *
 * <p>Writing a response: each piece of at most {@value #PIECE} bytes must be taken by the client
 * within the grace plus its size at the minimum rate, as a whole (the socket's own timeout only
 * bounds each wait, and a reader that takes a byte now and then never lets one wait expire). No
 * credit carries over from writes the kernel's buffers absorbed. This is Kestrel's {@code
 * MinResponseDataRate}.
 *
 * <p>Thread rule: the connection's fiber.
 */
final class MinDataRate {
    /** The largest write given one allowance: bounds how long a too-slow reader holds its slot. */
    static final int PIECE = 16 * 1024;

    private final Connection connection;
    private final long bytesPerSecond;
    private final long graceNanos;
    private final Duration idle;
    private final long idleNanos;
    private long bodyBytes;
    private long waitedNanos;

    MinDataRate(Connection connection, HttpLimits limits) {
        this.connection = connection;
        this.bytesPerSecond = limits.minDataRate();
        this.graceNanos = limits.dataRateGrace().toNanos();
        this.idle = limits.idleTimeout();
        this.idleNanos = saturatedNanos(idle);
    }

    /** The rate of {@code limits}, or null when it has none. */
    static MinDataRate of(Connection connection, HttpLimits limits) {
        return limits.minDataRate() == 0 ? null : new MinDataRate(connection, limits);
    }

    /** A new request body begins: its credit starts at the grace. */
    void startBody() {
        bodyBytes = 0;
        waitedNanos = 0;
    }

    /**
     * A read of body bytes from {@code in} (the connection's stream), which may wait only for what is
     * left of the body's credit.
     *
     * @throws HttpError (408) when the credit runs out before a byte arrives
     */
    int readBody(InputStream in, byte[] b, int off, int len) throws IOException {
        long credit = graceNanos + nanosFor(bodyBytes + 1) - waitedNanos;
        boolean rateFirst = credit < idleNanos;
        if (rateFirst) {
            connection.setTimeout(Duration.ofNanos(Math.max(0, credit)));
        }
        long start = Deadlines.now();
        try {
            int n = in.read(b, off, len);
            if (n > 0) {
                bodyBytes += n;
            }
            return n;
        } catch (SocketTimeoutException e) {
            if (!rateFirst) {
                throw e;
            }
            throw new HttpError(408, "the request body arrived slower than " + bytesPerSecond + " bytes/s ("
                    + bodyBytes + " bytes in " + (waitedNanos + Deadlines.now() - start) / 1_000_000
                    + " ms of waiting, after a grace of " + graceNanos / 1_000_000 + " ms: HttpLimits.minDataRate)");
        } finally {
            waitedNanos += Deadlines.now() - start;
            if (rateFirst) {
                connection.setTimeout(idle);
            }
        }
    }

    /**
     * Writes {@code b[off, off + len)} to {@code out} (the connection's stream) in pieces of at most
     * {@value #PIECE} bytes, each taken by the client within its allowance.
     *
     * @throws SocketTimeoutException when the client reads a piece too slowly (the connection must close)
     */
    void write(OutputStream out, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, PIECE);
            long allowance = graceNanos + nanosFor(n);
            if (allowance >= idleNanos) {
                out.write(b, off, n); // the idle timeout is the tighter bound
            } else {
                int now = writeWithoutWaiting(b, off, n);
                if (now == n) {
                    off += n;
                    len -= n;
                    continue; // the kernel took the whole piece at once: no timer armed
                }
                Timeout limit = Timeout.after(Duration.ofNanos(allowance));
                try {
                    out.write(b, off + now, n - now);
                } catch (FiberTimeoutException e) {
                    if (!e.is(limit)) {
                        throw e;
                    }
                    throw new SocketTimeoutException("the client read the response slower than " + bytesPerSecond
                            + " bytes/s: " + n + " bytes were not taken within " + allowance / 1_000_000 + " ms"
                            + " (HttpLimits.minDataRate, after a grace of " + graceNanos / 1_000_000 + " ms)");
                } finally {
                    limit.close();
                }
            }
            off += n;
            len -= n;
        }
    }

    /**
     * Writes as much of {@code b[off, off + n)} as the plain socket takes without waiting (its timeout
     * is zero for that one call): the bytes written, 0 if it would have to wait. A TLS connection, or what is left, goes
     * the way with a timer: arming and cancelling one per response cost a sift through the hub's timer
     * heap (one timer per waiting connection) on every request.
     */
    private int writeWithoutWaiting(byte[] b, int off, int n) throws IOException {
        if (!(connection instanceof TcpSocket plain)) {
            return 0;
        }
        Duration own = plain.timeout();
        plain.setTimeout(Duration.ZERO);
        try {
            return plain.write(ByteBuffer.wrap(b, off, n));
        } catch (SocketTimeoutException wouldWait) {
            return 0; // nothing was written
        } finally {
            plain.setTimeout(own);
        }
    }

    private long nanosFor(long bytes) {
        return bytes >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE / 2 : bytes * 1_000_000_000L / bytesPerSecond;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
