package dev.weft.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The write side of a connection: a response head and small body writes gather in a buffer and go
 * out in one write when it fills, when the response ends, or before the connection waits for input.
 * Large writes go straight through.
 *
 * <p>Writes are held to the connection's {@link MinDataRate} when it has one. After a write failed
 * (the client went away or read too slowly, a timeout, a kill) part of it may have gone out: every
 * later write throws
 * an {@link IOException} caused by that failure, so nothing more is sent on a stream whose framing is
 * lost.
 *
 * <p>Thread rule: the connection's fiber only.
 */
final class HttpOutput {
    private final OutputStream out;
    private final MinDataRate rate;
    private byte[] buf;
    private int count;
    /** What interrupted a write (a network error, a timeout, a kill), or null. */
    private Throwable failed;

    HttpOutput(OutputStream out, MinDataRate rate, int capacity) {
        this.out = out;
        this.rate = rate;
        this.buf = new byte[capacity];
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - count) {
            flush();
            if (len >= buf.length) {
                send(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    void write(int b) throws IOException {
        if (count == buf.length) {
            flush();
        }
        buf[count++] = (byte) b;
    }

    /** Writes an ASCII/Latin-1 string (a status line, a header). */
    void writeLatin1(String s) throws IOException {
        int len = s.length();
        if (len > buf.length - count) {
            write(s.getBytes(StandardCharsets.ISO_8859_1), 0, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            buf[count++] = (byte) s.charAt(i);
        }
    }

    void crlf() throws IOException {
        if (buf.length - count < 2) {
            flush();
        }
        buf[count++] = '\r';
        buf[count++] = '\n';
    }

    /** Bytes waiting to be written. */
    int pending() {
        return count;
    }

    /** Writes what is buffered, blocking the fiber until it is written. */
    void flush() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            send(buf, 0, n);
        }
    }

    private void send(byte[] b, int off, int len) throws IOException {
        if (failed != null) {
            throw new IOException("the connection's output failed earlier (" + failed.getMessage() + "): nothing more"
                    + " is sent on it", failed);
        }
        try {
            if (rate == null) {
                out.write(b, off, len);
            } else {
                rate.write(out, b, off, len);
            }
        } catch (IOException | RuntimeException | Error e) {
            failed = e;
            throw e;
        }
    }

    /** Forgets what is buffered (the connection is being abandoned). */
    void discard() {
        count = 0;
    }

    /** The connection was handed over (flushed first): frees the buffer; nothing more is written through this. */
    void release() {
        count = 0;
        buf = new byte[0];
    }
}
