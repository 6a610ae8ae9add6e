package dev.weft.bridges;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** {@link FiberSocket#getOutputStream()}: each write parks the calling fiber until all of it is written; nothing is buffered. */
final class FiberSocketOutputStream extends OutputStream {
    private final FiberSocket socket;

    FiberSocketOutputStream(FiberSocket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        socket.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            socket.write(b, off, len);
        }
    }

    /** Closes the socket, as the JDK's socket streams do. */
    @Override
    public void close() {
        socket.close();
    }
}
