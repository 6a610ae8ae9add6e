package dev.weft.hub.nio;

import dev.weft.hub.DatagramHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** A UDP socket over a non-blocking {@link DatagramChannel}. Loop thread only. */
final class NioDatagramHandle extends NioHandle implements DatagramHandle {
    private final DatagramChannel channel;

    NioDatagramHandle(NioPoller poller, DatagramChannel channel) throws IOException {
        super(poller, channel);
        this.channel = channel;
    }

    @Override
    int readInterest() {
        return SelectionKey.OP_READ;
    }

    @Override
    int writeInterest() {
        return SelectionKey.OP_WRITE;
    }

    @Override
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        ensureOpen("DatagramHandle.send");
        if (target == null) {
            if (!channel.isConnected()) {
                throw new IllegalStateException("send without a target needs a connected datagram socket; call connect first");
            }
            return channel.write(src);
        }
        return channel.send(src, target);
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen("DatagramHandle.receive");
        return (InetSocketAddress) channel.receive(dst);
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        ensureOpen("DatagramHandle.connect");
        channel.connect(remote);
    }

    @Override
    public void disconnect() throws IOException {
        ensureOpen("DatagramHandle.disconnect");
        channel.disconnect();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen("DatagramHandle.remoteAddress");
        return (InetSocketAddress) channel.getRemoteAddress();
    }
}
