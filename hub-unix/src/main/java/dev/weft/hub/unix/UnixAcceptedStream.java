package dev.weft.hub.unix;

import dev.weft.hub.AcceptedStream;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An accepted descriptor (non-blocking, close-on-exec, as Netty's accept makes it) not registered
 * with any poller yet: {@link UnixPoller#adopt} registers it with its own epoll, kqueue or io_uring
 * instance. Any thread.
 */
final class UnixAcceptedStream implements AcceptedStream {
    private final int fd;
    /** The peer in Netty's encoding, as the accept reported it. */
    private final byte[] peer;
    private final String backend;
    private final AtomicBoolean taken = new AtomicBoolean();

    UnixAcceptedStream(int fd, byte[] peer, String backend) {
        this.fd = fd;
        this.peer = peer;
        this.backend = backend;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return NativeInetAddress.address(peer, 0, peer.length);
    }

    @Override
    public String backendName() {
        return backend;
    }

    /** The descriptor, once: a second take (or one after a discard) is refused. */
    int take() throws ClosedChannelException {
        if (!taken.compareAndSet(false, true)) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    /** The peer bytes, for the adopting handle. */
    byte[] peer() {
        return peer;
    }

    @Override
    public boolean discard() {
        if (!taken.compareAndSet(false, true)) {
            return false;
        }
        try {
            new Socket(fd).close();
        } catch (IOException ignored) {
            // close(2) releases the descriptor even when it reports an error
        }
        return true;
    }

    @Override
    public String toString() {
        return backend + " AcceptedStream(fd " + fd + ", " + remoteAddress() + ")";
    }
}
