package dev.weft.hub.unix;

import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import io.netty.channel.unix.NativeInetAddress;
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
 * SocketErrors}); a shutdown after the peer has gone is quiet, as the JDK's. The peer's address is
 * kept from the accept or the connect, so it is still known after a reset, as the JDK's socket
 * keeps it ({@code getpeername(2)} fails once the peer has reset the connection). Loop thread only.
 * A backend may extend it (io_uring adds reads and writes by completion) through {@link
 * UnixPoller#newStream}.
 */
public class UnixStreamHandle extends UnixHandle implements StreamHandle {
    /* Bound once: a method reference made per call would allocate on every read and write. */
    private final NativeRead reader;
    private final NativeRead writer;
    private boolean outputShut;
    /** Where a connect goes, for its error message; the peer once {@link #connected}. */
    private InetSocketAddress remote;
    private boolean connected;
    /**
     * The peer of an accepted connection as {@code accept(2)} reported it, in Netty's encoding
     * (address bytes, scope id for IPv6, port), or null. Bytes rather than an {@link
     * InetSocketAddress}: 24 bytes per IPv4 connection instead of about 90 (issue 15's heap per
     * connection); {@link #remoteAddress()} decodes them.
     */
    private final byte[] acceptedPeer;

    /**
     * A socket to connect ({@code acceptedPeer} null), or an accepted connection from the peer {@code
     * acceptedPeer} (Netty's encoding, see the field).
     */
    protected UnixStreamHandle(UnixPoller poller, Socket socket, byte[] acceptedPeer) throws IOException {
        super(poller, socket);
        this.reader = socket::read;
        this.writer = socket::write;
        this.acceptedPeer = acceptedPeer;
    }

    /**
     * The {@code java.net} exception for a failed read or write whose system call returned {@code
     * negativeErrno} (a completion's result): the same mapping as the synchronous path's.
     */
    protected static IOException streamFailure(String call, int negativeErrno) {
        return UnixErrors.stream(io.netty.channel.unix.Errors.newIOException(call, negativeErrno));
    }

    /** Whether the output was shut down ({@link #shutdownOutput()}): writes then fail. */
    protected final boolean outputShut() {
        return outputShut;
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        ensureOpen("StreamHandle.connect");
        this.remote = remote;
        try {
            connected = socket.connect(remote);
            return connected;
        } catch (ConnectException e) {
            throw SocketErrors.connectFailed(UnixErrors.reason(e), remote, e);
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen("StreamHandle.finishConnect");
        try {
            connected = socket.finishConnect();
            return connected;
        } catch (ConnectException e) {
            throw SocketErrors.connectFailed(UnixErrors.reason(e), remote, e);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen("StreamHandle.read");
        if (!dst.hasRemaining() || readSkipped()) {
            return 0; // a zero-length read(2) would look like end-of-stream; or drained, see readSkipped
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

    /** The peer kept from the accept or the connect (still known after a reset); null while a connect is in progress. */
    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen("StreamHandle.remoteAddress");
        if (acceptedPeer != null) {
            return NativeInetAddress.address(acceptedPeer, 0, acceptedPeer.length);
        }
        return connected ? remote : socket.remoteAddress();
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return UnixOptions.STREAM;
    }
}
