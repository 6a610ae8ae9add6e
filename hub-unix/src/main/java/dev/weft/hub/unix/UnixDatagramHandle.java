package dev.weft.hub.unix;

import dev.weft.hub.DatagramHandle;
import dev.weft.hub.SocketErrors;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * A UDP socket over a non-blocking Netty {@link Socket}. Connected, an ICMP port-unreachable error
 * for an earlier datagram is a {@link PortUnreachableException} naming the peer (from the next
 * receive or send), as on every backend. Loop thread only.
 */
final class UnixDatagramHandle extends UnixHandle implements DatagramHandle {
    private InetSocketAddress connected;

    UnixDatagramHandle(UnixPoller poller, Socket socket) throws IOException {
        super(poller, socket);
    }

    @Override
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        ensureOpen("DatagramHandle.send");
        if (target == null) {
            if (connected == null) {
                throw new IllegalStateException("send without a target on an unconnected datagram socket");
            }
            try {
                return writeFrom(src, socket::send);
            } catch (PortUnreachableException e) {
                throw SocketErrors.portUnreachable(connected, e);
            }
        }
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + target + ": resolve it first");
        }
        try {
            return writeFrom(src, (buf, pos, limit) -> socket.sendTo(buf, pos, limit, target.getAddress(), target.getPort()));
        } catch (PortUnreachableException e) {
            throw SocketErrors.portUnreachable(connected != null ? connected : target, e);
        }
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen("DatagramHandle.receive");
        DatagramSocketAddress[] from = new DatagramSocketAddress[1];
        try {
            readInto(dst, (buf, pos, limit) -> {
                DatagramSocketAddress a = socket.recvFrom(buf, pos, limit);
                from[0] = a;
                return a == null ? 0 : a.receivedAmount();
            });
        } catch (PortUnreachableException e) {
            throw SocketErrors.portUnreachable(connected, e);
        }
        DatagramSocketAddress a = from[0];
        return a == null ? null : new InetSocketAddress(a.getAddress(), a.getPort());
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        ensureOpen("DatagramHandle.connect");
        socket.connect(remote);
        connected = remote;
    }

    @Override
    public void disconnect() throws IOException {
        ensureOpen("DatagramHandle.disconnect");
        socket.disconnect();
        connected = null;
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen("DatagramHandle.remoteAddress");
        return connected;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return UnixOptions.DATAGRAM;
    }
}
