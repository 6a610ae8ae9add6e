package dev.weft.hub.nio;

import dev.weft.hub.AcceptedStream;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening TCP socket over a non-blocking {@link ServerSocketChannel}. Loop thread only. */
final class NioListenerHandle extends NioHandle implements ListenerHandle {
    private final ServerSocketChannel channel;

    NioListenerHandle(NioPoller poller, ServerSocketChannel channel) throws IOException {
        super(poller, channel);
        this.channel = channel;
    }

    @Override
    int readInterest() {
        return SelectionKey.OP_ACCEPT;
    }

    @Override
    int writeInterest() {
        return 0;
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen("ListenerHandle.bind");
        try {
            channel.bind(local, Math.max(0, backlog));
        } catch (BindException e) {
            throw SocketErrors.bindFailed(e.getMessage(), local, e);
        }
    }

    @Override
    public StreamHandle accept() throws IOException {
        ensureOpen("ListenerHandle.accept");
        SocketChannel ch = acceptChannel();
        return ch == null ? null : new NioStreamHandle(poller, ch, true);
    }

    /** One pending connection, unregistered, or null; errors as {@link SocketErrors#acceptFailed}. */
    private SocketChannel acceptChannel() throws IOException {
        try {
            return channel.accept();
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw SocketErrors.acceptFailed(e.getMessage(), channel.getLocalAddress(), e);
        }
    }

    @Override
    public AcceptedStream acceptUnowned() throws IOException {
        ensureOpen("ListenerHandle.acceptUnowned");
        SocketChannel ch = acceptChannel();
        if (ch == null) {
            return null;
        }
        InetSocketAddress peer;
        try {
            peer = (InetSocketAddress) ch.getRemoteAddress(); // now: it fails once the peer has reset
        } catch (IOException resetAlready) {
            peer = null;
        }
        return new NioAcceptedStream(ch, peer);
    }
}
