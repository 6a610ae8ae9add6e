package dev.weft.bridges;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** {@link FiberSocket#getInputStream()}: reads park the calling fiber; SO_TIMEOUT bounds each read. */
final class FiberSocketInputStream extends InputStream {
    private final FiberSocket socket;
    private final byte[] one = new byte[1];

    FiberSocketInputStream(FiberSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        int n = socket.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return socket.read(b, off, len);
    }

    /** Always 0: whether bytes wait in the kernel is not known without reading them. */
    @Override
    public int available() throws IOException {
        if (socket.isClosed()) {
            throw new java.net.SocketException("Socket is closed");
        }
        return 0;
    }

    /** Closes the socket, as the JDK's socket streams do. */
    @Override
    public void close() {
        socket.close();
    }
}
