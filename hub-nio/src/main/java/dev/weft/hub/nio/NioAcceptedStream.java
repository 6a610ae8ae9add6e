package dev.weft.hub.nio;

import dev.weft.hub.AcceptedStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An accepted {@link SocketChannel} not registered with any selector yet: {@link NioPoller#adopt}
 * registers it with its own. Any thread.
 */
final class NioAcceptedStream implements AcceptedStream {
    private final SocketChannel channel;
    private final InetSocketAddress peer;
    private final AtomicBoolean taken = new AtomicBoolean();

    NioAcceptedStream(SocketChannel channel, InetSocketAddress peer) {
        this.channel = channel;
        this.peer = peer;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return peer;
    }

    @Override
    public String backendName() {
        return "nio";
    }

    /** The channel, once: a second take (or one after a discard) is refused. */
    SocketChannel take() throws ClosedChannelException {
        if (!taken.compareAndSet(false, true)) {
            throw new ClosedChannelException();
        }
        return channel;
    }

    @Override
    public boolean discard() {
        if (!taken.compareAndSet(false, true)) {
            return false;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the descriptor is released even when close reports an error
        }
        return true;
    }

    @Override
    public String toString() {
        return "NioAcceptedStream(" + peer + ")";
    }
}
