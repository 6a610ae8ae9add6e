package dev.weft.examples;

import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads {@code \n}-terminated lines (a trailing {@code \r} dropped) from a socket, buffered. Fibers only. */
final class LineReader {
    private static final int MAX_LINE = 8192;
    private final TcpSocket socket;
    private final ByteBuffer buf = ByteBuffer.allocate(MAX_LINE);

    LineReader(TcpSocket socket) {
        this.socket = socket;
        buf.flip();
    }

    /** The next line, or null at end-of-stream. */
    String readLine() throws IOException {
        while (true) {
            for (int i = buf.position(); i < buf.limit(); i++) {
                if (buf.get(i) == '\n') {
                    int end = i > buf.position() && buf.get(i - 1) == '\r' ? i - 1 : i;
                    String line = new String(buf.array(), buf.position(), end - buf.position(), StandardCharsets.UTF_8);
                    buf.position(i + 1);
                    return line;
                }
            }
            buf.compact();
            if (!buf.hasRemaining()) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            int n = socket.read(buf);
            buf.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    /** Up to {@code n} bytes: first what is buffered, then from the socket. */
    byte[] readBytes(int n) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(n);
        int take = Math.min(n, buf.remaining());
        out.put(out.position(), buf, buf.position(), take).position(take);
        buf.position(buf.position() + take);
        socket.readFully(out);
        return out.array();
    }
}
