package dev.weft.hub.unix;

import dev.weft.hub.ListenerHandle;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import io.netty.channel.unix.Socket;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Arrays;
import java.util.Set;

/**
 * A listening TCP socket over a Netty {@link Socket}. Accepted connections arrive non-blocking and
 * are registered with the same poller. {@code SO_REUSEADDR} is on before bind, as with the JDK's
 * {@code ServerSocketChannel} on Unix. Loop thread only.
 */
final class UnixListenerHandle extends UnixHandle implements ListenerHandle {
    /** Netty's accept writes the peer address here (length byte + up to 16 address bytes + port). */
    private final byte[] acceptedAddress = new byte[26];

    UnixListenerHandle(UnixPoller poller, Socket socket) throws IOException {
        super(poller, socket);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen("ListenerHandle.bind");
        socket.setReuseAddress(true);
        super.bind(local);
        socket.listen(backlog > 0 ? backlog : NetUtil.SOMAXCONN);
    }

    @Override
    public StreamHandle accept() throws IOException {
        ensureOpen("ListenerHandle.accept");
        int fd = acceptFd();
        // The peer is kept now: getpeername(2) fails once it has reset the connection.
        return fd < 0 ? null : poller.newStream(new Socket(fd), acceptedPeer());
    }

    /** One pending connection's descriptor (its peer in {@link #acceptedAddress}), or -1. */
    private int acceptFd() throws IOException {
        try {
            return socket.accept(acceptedAddress);
        } catch (IOException e) {
            throw SocketErrors.acceptFailed(UnixErrors.reason(e), socket.localAddress(), e);
        }
    }

    /** The peer of the last accept, in Netty's encoding. */
    private byte[] acceptedPeer() {
        int length = acceptedAddress[0] & 0xFF;
        return Arrays.copyOfRange(acceptedAddress, 1, 1 + length);
    }

    @Override
    public dev.weft.hub.AcceptedStream acceptUnowned() throws IOException {
        ensureOpen("ListenerHandle.acceptUnowned");
        int fd = acceptFd();
        return fd < 0 ? null : new UnixAcceptedStream(fd, acceptedPeer(), poller.backendName());
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return UnixOptions.LISTENER;
    }
}
