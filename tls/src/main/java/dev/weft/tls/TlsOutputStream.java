package dev.weft.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * {@link TlsSocket#outputStream()}: every write is a {@link TlsSocket#writeAll}, sent at once as one
 * or more TLS records. Nothing is buffered: wrap it in a {@link java.io.BufferedOutputStream} when
 * writing many small pieces, or every piece costs a record (29 bytes of overhead) and a send.
 */
final class TlsOutputStream extends OutputStream {
    private final TlsSocket socket;

    TlsOutputStream(TlsSocket socket) {
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
