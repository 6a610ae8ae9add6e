package dev.weft.http;

import dev.weft.sockets.TcpSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A response read off a raw socket by {@link Reader}: what a test asserts on. */
record RawResponse(int status, Map<String, String> headers, String body) {

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Reads responses from a socket, byte by byte through a small buffer. Fibers only. */
    static final class Reader {
        private final TcpSocket socket;
        private final ByteBuffer buf = ByteBuffer.allocate(8192).flip();

        Reader(TcpSocket socket) {
            this.socket = socket;
        }

        int read() throws IOException {
            if (!buf.hasRemaining()) {
                buf.clear();
                int n = socket.read(buf);
                buf.flip();
                if (n < 0) {
                    return -1;
                }
            }
            return buf.get() & 0xff;
        }

        /** A line without CRLF, or null at end of stream before any byte. */
        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int c = read();
                if (c < 0) {
                    return sb.isEmpty() ? null : sb.toString();
                }
                if (c == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) c);
            }
        }

        /** The next response, or null if the server closed the connection first. {@code head} skips the body. */
        RawResponse next(boolean head) throws IOException {
            String status = line();
            if (status == null) {
                return null;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.merge(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (a, b) -> a + "," + b);
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (!head && code >= 200 && code != 204 && code != 304) {
                if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    while (true) {
                        int size = Integer.parseInt(line().trim(), 16);
                        if (size == 0) {
                            while (!line().isEmpty()) {
                                // trailers
                            }
                            break;
                        }
                        for (int i = 0; i < size; i++) {
                            body.write(read());
                        }
                        line();
                    }
                } else if (headers.containsKey("content-length")) {
                    long n = Long.parseLong(headers.get("content-length"));
                    for (long i = 0; i < n; i++) {
                        int c = read();
                        if (c < 0) {
                            throw new IOException("body ended after " + i + " of " + n + " bytes");
                        }
                        body.write(c);
                    }
                } else {
                    for (int c = read(); c >= 0; c = read()) {
                        body.write(c);
                    }
                }
            }
            return new RawResponse(code, headers, body.toString(StandardCharsets.UTF_8));
        }

        RawResponse next() throws IOException {
            return next(false);
        }

        /** True if the server closed the connection (end of stream, or a reset after it closed). */
        boolean closedByServer() {
            try {
                return read() < 0;
            } catch (IOException reset) {
                return true;
            }
        }
    }
}
