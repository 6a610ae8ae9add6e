package dev.weft.http.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * The read side of a connection: a buffer over the connection's input that the request parser scans
 * in place and the body streams read from. Before every read that may block it flushes the
 * connection's pending output, so that a response is never held back while the server waits for
 * the next request.
 *
 * <p>Thread rule: the connection's fiber only.
 */
final class HttpInput {
    private final InputStream in;
    private final HttpOutput out;
    private final int maxCapacity;
    /** The body's minimum rate while a request body is being read, else null. */
    private MinDataRate bodyRate;
    byte[] buf;
    /** The next unread byte. */
    int pos;
    /** One past the last buffered byte. */
    int lim;

    HttpInput(InputStream in, HttpOutput out, int initialCapacity, int maxCapacity) {
        this.in = in;
        this.out = out;
        this.maxCapacity = Math.max(initialCapacity, maxCapacity);
        this.buf = new byte[initialCapacity];
    }

    /** Holds the reads that may block to {@code rate} (null: only the connection's timeout). */
    void limitBodyRate(MinDataRate rate) {
        this.bodyRate = rate;
    }

    private int source(byte[] b, int off, int len) throws IOException {
        return bodyRate == null ? in.read(b, off, len) : bodyRate.readBody(in, b, off, len);
    }

    /** The connection was handed over: returns what is buffered and not consumed, and frees the buffer. */
    java.nio.ByteBuffer release() {
        java.nio.ByteBuffer rest = java.nio.ByteBuffer.wrap(java.util.Arrays.copyOfRange(buf, pos, lim));
        buf = new byte[0];
        pos = 0;
        lim = 0;
        bodyRate = null;
        return rest;
    }

    /** Bytes buffered and not yet consumed. */
    int buffered() {
        return lim - pos;
    }

    /**
     * Reads more bytes into the buffer (compacting it, or growing it up to the maximum capacity),
     * blocking the fiber until at least one byte arrives.
     *
     * @return bytes read, or -1 at end of stream
     * @throws IllegalStateException if the buffer is full (the caller must check its limits first)
     */
    int fill() throws IOException {
        out.flush();
        if (lim == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            } else if (buf.length < maxCapacity) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(maxCapacity, buf.length * 2L));
            } else {
                throw new IllegalStateException("request buffer full at " + buf.length + " bytes");
            }
        }
        int n = source(buf, lim, buf.length - lim);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Reads up to {@code len} bytes: buffered ones first, else from the connection (large reads bypass the buffer). */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int avail = lim - pos;
        if (avail == 0) {
            if (len >= buf.length) {
                out.flush();
                return source(b, off, len);
            }
            if (fill() < 0) {
                return -1;
            }
            avail = lim - pos;
        }
        int n = Math.min(avail, len);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** One byte, or -1 at end of stream. */
    int read() throws IOException {
        if (pos == lim && fill() < 0) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }
}
