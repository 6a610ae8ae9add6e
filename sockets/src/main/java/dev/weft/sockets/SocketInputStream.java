package dev.weft.sockets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** {@link TcpSocket#inputStream()}: blocking-style stream reads that park only the calling fiber. */
final class SocketInputStream extends InputStream {
    private final TcpSocket socket;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    SocketInputStream(TcpSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        int n = socket.read(one.clear());
        return n < 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return socket.read(b, off, len);
    }

    @Override
    public void close() {
        socket.close();
    }
}
