package dev.weft.hub.nio;

import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A TCP connection over a non-blocking {@link SocketChannel}. {@code OP_CONNECT} stands for
 * {@link dev.weft.hub.Ops#WRITE} until the connection is established. Loop thread only.
 */
final class NioStreamHandle extends NioHandle implements StreamHandle {
    private final SocketChannel channel;
    private boolean connected;

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
        connected = channel.connect(remote);
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen("StreamHandle.finishConnect");
        if (!connected) {
            connected = channel.finishConnect();
        }
        return connected;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen("StreamHandle.read");
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen("StreamHandle.write");
        return channel.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen("StreamHandle.shutdownOutput");
        channel.shutdownOutput();
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
