package dev.weft.hub.nio;

import dev.weft.hub.ListenerHandle;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.SocketAddress;
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
        channel.bind(local, Math.max(0, backlog));
    }

    @Override
    public StreamHandle accept() throws IOException {
        ensureOpen("ListenerHandle.accept");
        SocketChannel ch = channel.accept();
        return ch == null ? null : new NioStreamHandle(poller, ch, true);
    }
}
