package dev.weft.http.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A response body as the handler writes it ({@code HttpExchange.getResponseBody()}); its framing is
 * fixed by {@code sendResponseHeaders}: exactly {@code Content-Length} bytes, chunks, bytes until
 * the connection closes (an HTTP/1.0 client and an unknown length), or none. Writes gather in the
 * connection's output buffer; {@link #flush()} sends them at once.
 *
 * <p>Errors (all {@link IOException}): writing before {@code sendResponseHeaders}, writing a body the
 * response said it would not have, writing more than the declared length, and closing before the
 * declared length was written (the connection is then closed, since the client would wait for the
 * rest). A {@code HEAD} response discards what is written. Thread rule: the connection's fiber.
 */
final class ResponseBody extends OutputStream {
    enum Mode { UNSENT, NONE, HEAD, FIXED, CHUNKED, UNTIL_CLOSE }

    private final HttpExchangeImpl exchange;
    private final HttpOutput out;
    private Mode mode = Mode.UNSENT;
    private long remaining;
    private long declared;
    private boolean closed;

    ResponseBody(HttpExchangeImpl exchange, HttpOutput out) {
        this.exchange = exchange;
        this.out = out;
    }

    void start(Mode mode, long length) {
        this.mode = mode;
        this.remaining = length;
        this.declared = length;
    }

    Mode mode() {
        return mode;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("the response body stream is closed");
        }
        switch (mode) {
            case UNSENT -> throw new IOException("write before sendResponseHeaders: call sendResponseHeaders(status, length) first");
            case NONE -> {
                if (len > 0) {
                    throw new IOException("this response has no body (sendResponseHeaders with length -1, or status "
                            + exchange.getResponseCode() + ")");
                }
            }
            case HEAD -> {
                // a HEAD response has no body: what the handler writes for GET is dropped
            }
            case FIXED -> {
                if (len > remaining) {
                    throw new IOException("too many bytes: the response declared Content-Length " + declared + " and "
                            + (declared - remaining) + " were written already; " + len + " more do not fit");
                }
                out.write(b, off, len);
                remaining -= len;
            }
            case CHUNKED -> {
                if (len > 0) {
                    out.writeLatin1(Integer.toHexString(len));
                    out.crlf();
                    out.write(b, off, len);
                    out.crlf();
                }
            }
            case UNTIL_CLOSE -> out.write(b, off, len);
        }
    }

    /** Sends what was written so far to the client. */
    @Override
    public void flush() throws IOException {
        if (mode != Mode.UNSENT && !closed) {
            out.flush();
        }
    }

    /**
     * Ends the response body (the last chunk of a chunked body). The exchange goes on until the
     * handler returns.
     *
     * @throws IOException if fewer bytes than the declared length were written (the connection will close)
     */
    @Override
    public void close() throws IOException {
        if (closed || mode == Mode.UNSENT) {
            return;
        }
        closed = true;
        if (mode == Mode.CHUNKED) {
            out.writeLatin1("0\r\n\r\n");
        }
        if (mode == Mode.FIXED && remaining > 0) {
            exchange.connection().markBroken();
            throw new IOException("the response body was closed after " + (declared - remaining) + " of its declared "
                    + declared + " bytes; the connection will be closed");
        }
        exchange.connection().responseEnded();
    }
}
