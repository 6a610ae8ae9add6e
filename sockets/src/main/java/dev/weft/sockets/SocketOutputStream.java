package dev.weft.sockets;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** {@link TcpSocket#outputStream()}: every write is a {@link TcpSocket#writeAll}; nothing is buffered. */
final class SocketOutputStream extends OutputStream {
    private final TcpSocket socket;

    SocketOutputStream(TcpSocket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        socket.writeAll(ByteBuffer.wrap(new byte[] {(byte) b}));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        socket.writeAll(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void close() {
        socket.close();
    }
}
