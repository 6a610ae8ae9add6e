package dev.weft.http.internal;

import dev.weft.http.HttpLimits;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body as the handler reads it ({@code HttpExchange.getRequestBody()}): exactly {@code
 * Content-Length} bytes, or a de-chunked {@code Transfer-Encoding: chunked} body, or nothing. It
 * never reads past its own end, so the next pipelined request stays intact.
 *
 * <p>Chunked framing is strict (RFC 9112 section 7.1): a chunk size is 1–15 hex digits, optionally
 * followed by extensions after a {@code ;}, and ends with CRLF (a bare LF is refused); chunk data
 * ends with CRLF; the extensions of all chunks together are bounded by {@code maxHeaderBytes}; the
 * trailer section obeys the header rules (CRLF line ends, no obs-fold, bounded by {@code
 * maxHeaderBytes} and {@code maxHeaderCount}) and is discarded. A violation throws {@link HttpError}
 * (400; 413 past {@code maxBodyBytes}; 431 for trailers over the limits) and the connection closes
 * after the exchange. A client that hangs up early gives an {@link IOException}.
 *
 * <p>The first read sends {@code 100 Continue} when the client asked for it and no response has
 * started. Thread rule: the connection's fiber only.
 */
final class RequestBody extends InputStream {
    private static final int MAX_CHUNK_LINE = 4096;
    private enum State { DATA, DATA_END, SIZE, DONE }

    private final HttpConnection connection;
    private final HttpInput in;
    private final HttpLimits limits;
    private final boolean chunked;
    private State state;
    /** Bytes left in the body (fixed length) or in the current chunk (chunked). */
    private long remaining;
    private long total;
    /** Bytes of chunk extensions so far: ignored, but bounded by {@code maxHeaderBytes} like the trailers. */
    private long extensionBytes;
    private boolean started;
    private boolean closed;
    private IOException failure;

    private RequestBody(HttpConnection connection, HttpInput in, HttpLimits limits, boolean chunked, long length) {
        this.connection = connection;
        this.in = in;
        this.limits = limits;
        this.chunked = chunked;
        this.remaining = length;
        this.state = chunked ? State.SIZE : length > 0 ? State.DATA : State.DONE;
    }

    static RequestBody of(HttpConnection connection, HttpInput in, HttpLimits limits, RequestHead head) {
        return new RequestBody(connection, in, limits, head.chunked(), head.chunked() ? 0 : Math.max(0, head.contentLength()));
    }

    /** The whole body has been read (or there was none). */
    boolean isComplete() {
        return state == State.DONE;
    }

    /** The body was started (the first read happened, so {@code 100 Continue} went out if asked for). */
    boolean isStarted() {
        return started;
    }

    /** Whether what is left of the body is known to be at most {@code maxBytes} (none left, or a fixed length). */
    boolean mayDrain(long maxBytes) {
        return state == State.DONE || !chunked && remaining <= maxBytes;
    }

    /** The framing failure a read met, or null. */
    IOException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("the request body stream is closed");
        }
        return readBody(b, off, len);
    }

    private int readBody(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (state == State.DONE) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (!started) {
            started = true;
            connection.beforeFirstBodyRead();
        }
        try {
            while (true) {
                switch (state) {
                    case DONE -> {
                        return -1;
                    }
                    case SIZE -> readChunkSize();
                    case DATA_END -> {
                        endOfChunkData();
                        state = State.SIZE;
                    }
                    case DATA -> {
                        int n = in.read(b, off, (int) Math.min(len, remaining));
                        if (n < 0) {
                            throw new IOException("the client closed the connection in the middle of the request body ("
                                    + total + " bytes read, " + remaining + " more expected)");
                        }
                        remaining -= n;
                        total += n;
                        if (total > limits.maxBodyBytes()) {
                            throw new HttpError(413, "the body is larger than " + limits.maxBodyBytes() + " bytes");
                        }
                        if (remaining == 0) {
                            state = chunked ? State.DATA_END : State.DONE;
                        }
                        return n;
                    }
                }
            }
        } catch (IOException e) {
            failure = e;
            connection.bodyFailed();
            throw e;
        }
    }

    private void readChunkSize() throws IOException {
        String line = readLine(MAX_CHUNK_LINE, 400, "a chunk-size line is longer than " + MAX_CHUNK_LINE + " bytes");
        int i = 0;
        long size = 0;
        while (i < line.length() && RequestParser.isHex(line.charAt(i))) {
            if (i == 15) {
                throw new HttpError(400, "a chunk size has more than 15 hex digits");
            }
            size = size * 16 + Character.digit(line.charAt(i), 16);
            i++;
        }
        if (i == 0) {
            throw new HttpError(400, "a chunk size must start with a hex digit: '" + printable(line) + "'");
        }
        int j = i;
        while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t')) {
            j++;
        }
        if (j < line.length() && line.charAt(j) != ';') {
            throw new HttpError(400, "garbage after a chunk size: '" + printable(line) + "'");
        }
        if (j == line.length() && j != i) {
            throw new HttpError(400, "white space after a chunk size without an extension");
        }
        for (int k = j; k < line.length(); k++) {
            if (!RequestParser.isValue(line.charAt(k))) {
                throw new HttpError(400, "a control character in a chunk extension");
            }
        }
        extensionBytes += line.length() - j;
        if (extensionBytes > limits.maxHeaderBytes()) {
            throw new HttpError(400, "the chunk extensions of this body take more than " + limits.maxHeaderBytes()
                    + " bytes (maxHeaderBytes): they are not data, and are not read without limit");
        }
        if (total + size > limits.maxBodyBytes()) {
            throw new HttpError(413, "the body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        if (size == 0) {
            readTrailers();
            state = State.DONE;
        } else {
            remaining = size;
            state = State.DATA;
        }
    }

    private void endOfChunkData() throws IOException {
        int c = next();
        if (c != '\r' || next() != '\n') {
            throw new HttpError(400, c == '\n' ? "chunk data followed by a bare LF: the chunked framing needs CRLF"
                    : "chunk data not followed by CRLF (the chunk is longer than its size says)");
        }
    }

    private void readTrailers() throws IOException {
        int bytes = 0;
        int count = 0;
        while (true) {
            String line = readLine(limits.maxHeaderBytes(), 431, "the trailer section is larger than "
                    + limits.maxHeaderBytes() + " bytes");
            if (line.isEmpty()) {
                return;
            }
            bytes += line.length() + 2;
            if (bytes > limits.maxHeaderBytes() || ++count > limits.maxHeaderCount()) {
                throw new HttpError(431, "the trailer section is over the header limits");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new HttpError(400, "obsolete line folding in a trailer field");
            }
            int n = 0;
            while (n < line.length() && RequestParser.isToken(line.charAt(n))) {
                n++;
            }
            if (n == 0 || n == line.length() || line.charAt(n) != ':') {
                throw new HttpError(400, "a malformed trailer field");
            }
            for (int k = n + 1; k < line.length(); k++) {
                if (!RequestParser.isValue(line.charAt(k))) {
                    throw new HttpError(400, "a control character in a trailer field");
                }
            }
        }
    }

    /**
     * A line without its CRLF. A bare LF is refused (a front end that ends chunk lines only at CRLF
     * would read the body differently: a smuggled request), as is a CR anywhere else.
     */
    private String readLine(int max, int status, String tooLong) throws IOException {
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            int c = next();
            if (c == '\n') {
                throw new HttpError(400, "a bare LF in the chunked framing: chunk-size lines and trailers end with CRLF");
            }
            if (c == '\r') {
                if (next() != '\n') {
                    throw new HttpError(400, "a bare CR in the chunked framing");
                }
                return sb.toString();
            }
            if (sb.length() >= max) {
                throw new HttpError(status, tooLong);
            }
            sb.append((char) c);
        }
    }

    private int next() throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new IOException("the client closed the connection in the middle of the chunked request body");
        }
        return c;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    /**
     * Reads and discards the rest of the body, at most {@code maxBytes} of it, so that the
     * connection can serve its next request. Never sends {@code 100 Continue}: an unstarted body
     * whose client waits for one is not drained (the connection closes instead).
     *
     * @return true if the body is now complete and well-formed
     */
    boolean drain(long maxBytes) {
        if (state == State.DONE && failure == null) {
            return true;
        }
        if (failure != null || (!started && connection.awaitingContinue())) {
            return false;
        }
        if (!chunked && remaining > maxBytes) {
            return false;
        }
        started = true;
        byte[] scratch = new byte[(int) Math.min(8192, Math.max(1, maxBytes))];
        long left = maxBytes;
        try {
            while (state != State.DONE) {
                int n = readBody(scratch, 0, (int) Math.min(scratch.length, Math.max(1, left)));
                if (n < 0) {
                    break;
                }
                left -= n;
                if (left < 0) {
                    return false;
                }
            }
            return failure == null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public int available() {
        if (state != State.DATA) {
            return 0;
        }
        return (int) Math.min(in.buffered(), remaining);
    }

    /** Marks the stream closed; what is left of the body is drained when the exchange ends. */
    @Override
    public void close() {
        closed = true;
    }
}
