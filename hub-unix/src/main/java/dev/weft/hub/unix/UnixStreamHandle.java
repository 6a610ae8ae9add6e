package dev.weft.hub.unix;

import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.Set;

/**
 * A TCP connection over a non-blocking Netty {@link Socket}; a connect in progress completes when
 * the socket turns writable. Errors are the {@code java.net} ones a JDK socket throws ({@link
 * SocketErrors}); a shutdown after the peer has gone is quiet, as the JDK's. Loop thread only.
 */
final class UnixStreamHandle extends UnixHandle implements StreamHandle {
    /* Bound once: a method reference made per call would allocate on every read and write. */
    private final NativeRead reader;
    private final NativeRead writer;
    private boolean outputShut;
    /** Where a connect goes, for its error message. */
    private InetSocketAddress remote;

    UnixStreamHandle(UnixPoller poller, Socket socket) throws IOException {
        super(poller, socket);
        this.reader = socket::read;
        this.writer = socket::write;
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        ensureOpen("StreamHandle.connect");
        this.remote = remote;
        try {
            return socket.connect(remote);
        } catch (ConnectException e) {
            throw SocketErrors.connectFailed(UnixErrors.reason(e), remote, e);
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen("StreamHandle.finishConnect");
        try {
            return socket.finishConnect();
        } catch (ConnectException e) {
            throw SocketErrors.connectFailed(UnixErrors.reason(e), remote, e);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen("StreamHandle.read");
        if (!dst.hasRemaining() || !mayRead) {
            return 0; // a zero-length read(2) would look like end-of-stream; or drained, see mayRead
        }
        try {
            return readInto(dst, reader);
        } catch (IOException e) {
            throw UnixErrors.stream(e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen("StreamHandle.write");
        if (outputShut) {
            throw SocketErrors.outputShutdown();
        }
        if (!src.hasRemaining() || !mayWrite) {
            return 0;
        }
        try {
            return writeFrom(src, writer);
        } catch (IOException e) {
            throw UnixErrors.stream(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen("StreamHandle.shutdownOutput");
        shutdown(false, true);
        outputShut = true;
    }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen("StreamHandle.shutdownInput");
        shutdown(true, false);
    }

    /* Netty reports ENOTCONN (the peer has gone) as NotYetConnectedException, unchecked; the JDK
       ignores ENOTCONN in shutdown, and callers such as JSSE catch only IOException. */
    private void shutdown(boolean input, boolean output) throws IOException {
        try {
            socket.shutdown(input, output);
        } catch (NotYetConnectedException peerGone) {
            // nothing left to shut down
        } catch (IOException e) {
            if (!UnixErrors.notConnected(e)) {
                throw e;
            }
        }
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
