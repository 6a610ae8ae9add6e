package dev.weft.hub.nio;

import dev.weft.hub.DatagramHandle;
import dev.weft.hub.SocketErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * A UDP socket over a non-blocking {@link DatagramChannel}. Connected, an ICMP port-unreachable
 * error for an earlier datagram is a {@link PortUnreachableException} naming the peer (from the
 * next receive or send), as on every backend. Loop thread only.
 */
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
            try {
                return channel.write(src);
            } catch (PortUnreachableException e) {
                throw SocketErrors.portUnreachable(channel.getRemoteAddress(), e);
            }
        }
        try {
            return channel.send(src, target);
        } catch (PortUnreachableException e) {
            throw SocketErrors.portUnreachable(channel.isConnected() ? channel.getRemoteAddress() : target, e);
        }
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen("DatagramHandle.receive");
        try {
            return (InetSocketAddress) channel.receive(dst);
        } catch (PortUnreachableException e) {
            throw SocketErrors.portUnreachable(channel.getRemoteAddress(), e);
        }
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
