package dev.weft.hub.nio;

import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A TCP connection over a non-blocking {@link SocketChannel}. {@code OP_CONNECT} stands for
 * {@link dev.weft.hub.Ops#WRITE} until the connection is established. Errors are the
 * {@code java.net} ones a JDK socket throws ({@link SocketErrors}). Loop thread only.
 */
final class NioStreamHandle extends NioHandle implements StreamHandle {
    private final SocketChannel channel;
    private boolean connected;
    private boolean outputShut;
    /** Where a connect goes, for its error message. */
    private InetSocketAddress remote;

    NioStreamHandle(NioPoller poller, SocketChannel channel, boolean connected) throws IOException {
        super(poller, channel);
        this.channel = channel;
        this.connected = connected;
    }

    @Override
    int readInterest() {
        return SelectionKey.OP_READ;
    }

    @Override
    int writeInterest() {
        return connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        ensureOpen("StreamHandle.connect");
        this.remote = remote;
        try {
            connected = channel.connect(remote);
        } catch (ConnectException e) {
            throw SocketErrors.connectFailed(e.getMessage(), remote, e);
        }
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen("StreamHandle.finishConnect");
        if (!connected) {
            try {
                connected = channel.finishConnect();
            } catch (ConnectException e) {
                throw SocketErrors.connectFailed(e.getMessage(), remote, e);
            }
        }
        return connected;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen("StreamHandle.read");
        try {
            return channel.read(dst);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw SocketErrors.streamFailure(e, e.getMessage());
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen("StreamHandle.write");
        if (outputShut) {
            throw SocketErrors.outputShutdown();
        }
        try {
            return channel.write(src);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw SocketErrors.streamFailure(e, e.getMessage());
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen("StreamHandle.shutdownOutput");
        channel.shutdownOutput();
        outputShut = true;
    }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen("StreamHandle.shutdownInput");
        channel.shutdownInput();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen("StreamHandle.remoteAddress");
        return (InetSocketAddress) channel.getRemoteAddress();
    }
}
