package dev.weft.hub.nio;

import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.Set;

/**
 * What every NIO handle shares: the channel's selection key, the two one-shot callbacks (read
 * side, write side), the thread check, options and close.
 *
 * <p>Thread rule: loop thread only (see {@link IoHandle}).
 */
abstract class NioHandle implements IoHandle {
    /** Every selector op that can stand for a direction (a connect's OP_CONNECT is a write). */
    private static final int READ_MASK = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_MASK = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;
    final NioPoller poller;
    private final SelectableChannel channel;
    private final SelectionKey key;
    private Runnable onRead;
    private Runnable onWrite;
    private boolean closed;

    NioHandle(NioPoller poller, SelectableChannel channel) throws IOException {
        this.poller = poller;
        this.channel = channel;
        try {
            channel.configureBlocking(false);
            this.key = poller.register(channel, this);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The selector ops that mean "ready" for {@link Ops#READ} on this kind of channel. */
    abstract int readInterest();

    /** The selector ops that mean "ready" for {@link Ops#WRITE} on this kind of channel. */
    abstract int writeInterest();

    @Override
    public final void await(int op, Runnable callback) {
        poller.checkThread("IoHandle.await");
        if (closed) {
            throw new IllegalStateException("await(" + Ops.toString(op) + ") on a closed socket");
        }
        if (op == Ops.READ) {
            if (onRead != null) {
                throw new IllegalStateException("a READ callback is already armed on this socket: one reader at a time");
            }
            onRead = callback;
            key.interestOpsOr(readInterest());
        } else if (op == Ops.WRITE) {
            if (onWrite != null) {
                throw new IllegalStateException("a WRITE callback is already armed on this socket: one writer at a time");
            }
            onWrite = callback;
            key.interestOpsOr(writeInterest());
        } else {
            throw new IllegalArgumentException("await takes Ops.READ or Ops.WRITE, not " + Ops.toString(op));
        }
    }

    @Override
    public final void cancelAwait(int op) {
        poller.checkThread("IoHandle.cancelAwait");
        if (op == Ops.READ && onRead != null) {
            onRead = null;
            if (!closed) {
                key.interestOpsAnd(~READ_MASK);
            }
        } else if (op == Ops.WRITE && onWrite != null) {
            onWrite = null;
            if (!closed) {
                key.interestOpsAnd(~WRITE_MASK);
            }
        }
    }

    /** Called from the selector for a selected key; runs the callbacks whose readiness arrived. */
    final int onReady(SelectionKey k) {
        if (!k.isValid()) {
            return 0;
        }
        int ready = k.readyOps();
        int ran = 0;
        int remove = 0;
        Runnable r = null;
        Runnable w = null;
        if ((ready & readInterest()) != 0 && onRead != null) {
            r = onRead;
            onRead = null;
            remove |= READ_MASK;
        }
        if ((ready & writeInterest()) != 0 && onWrite != null) {
            w = onWrite;
            onWrite = null;
            remove |= WRITE_MASK;
        }
        if (remove != 0) {
            k.interestOpsAnd(~remove);
        }
        if (r != null) {
            r.run();
            ran++;
        }
        if (w != null) {
            w.run();
            ran++;
        }
        return ran;
    }

    /** Throws {@link ClosedChannelException} if closed; checks the thread. */
    final void ensureOpen(String what) throws ClosedChannelException {
        poller.checkThread(what);
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private NetworkChannel network() {
        return (NetworkChannel) channel;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        ensureOpen("IoHandle.bind");
        network().bind(local);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen("IoHandle.localAddress");
        return network().getLocalAddress();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen("IoHandle.setOption");
        if (!network().supportedOptions().contains(option)) {
            throw new UnsupportedOperationException("the nio backend has no socket option " + option.name()
                    + " on this socket; supported: " + network().supportedOptions());
        }
        network().setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen("IoHandle.getOption");
        if (!network().supportedOptions().contains(option)) {
            throw new UnsupportedOperationException("the nio backend has no socket option " + option.name()
                    + " on this socket; supported: " + network().supportedOptions());
        }
        return network().getOption(option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return network().supportedOptions();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        poller.checkThread("IoHandle.close");
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // the fd is released even when close reports an error
        }
        Runnable r = onRead;
        Runnable w = onWrite;
        onRead = null;
        onWrite = null;
        if (r != null) {
            r.run();
        }
        if (w != null) {
            w.run();
        }
    }
}
