package dev.weft.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** {@link TlsSocket#inputStream()}: blocking-style reads of plaintext that park only the calling fiber. */
final class TlsInputStream extends InputStream {
    private final TlsSocket socket;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    TlsInputStream(TlsSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        int n = socket.read(one.clear());
        return n < 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return socket.read(b, off, len);
    }

    /** Decrypted bytes buffered now: reading that many does not wait. */
    @Override
    public int available() {
        return socket.available();
    }

    @Override
    public void close() {
        socket.close();
    }
}
