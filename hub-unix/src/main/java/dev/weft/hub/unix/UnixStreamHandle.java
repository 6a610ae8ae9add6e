package dev.weft.hub.unix;

import dev.weft.hub.StreamHandle;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * A TCP connection over a non-blocking Netty {@link Socket}; a connect in progress completes when
 * the socket turns writable. Loop thread only.
 */
final class UnixStreamHandle extends UnixHandle implements StreamHandle {
    /* Bound once: a method reference made per call would allocate on every read and write. */
    private final NativeRead reader;
    private final NativeRead writer;

    UnixStreamHandle(UnixPoller poller, Socket socket) throws IOException {
        super(poller, socket);
        this.reader = socket::read;
        this.writer = socket::write;
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        ensureOpen("StreamHandle.connect");
        return socket.connect(remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen("StreamHandle.finishConnect");
        return socket.finishConnect();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen("StreamHandle.read");
        if (!dst.hasRemaining() || !mayRead) {
            return 0; // a zero-length read(2) would look like end-of-stream; or drained, see mayRead
        }
        return readInto(dst, reader);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen("StreamHandle.write");
        if (!src.hasRemaining() || !mayWrite) {
            return 0;
        }
        return writeFrom(src, writer);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen("StreamHandle.shutdownOutput");
        socket.shutdown(false, true);
    }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen("StreamHandle.shutdownInput");
        socket.shutdown(true, false);
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen("StreamHandle.remoteAddress");
        return socket.remoteAddress();
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return UnixOptions.STREAM;
    }
}
