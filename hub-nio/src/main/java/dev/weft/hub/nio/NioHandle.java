package dev.weft.hub.nio;

import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.ReadinessCallbacks;
import dev.weft.hub.SocketErrors;
import java.io.IOException;
import java.net.BindException;
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
    private final ReadinessCallbacks callbacks = new ReadinessCallbacks();
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
        callbacks.arm(op, callback);
        key.interestOpsOr(op == Ops.READ ? readInterest() : writeInterest());
    }

    @Override
    public final void cancelAwait(int op) {
        poller.checkThread("IoHandle.cancelAwait");
        if (callbacks.cancel(op) && !closed) {
            key.interestOpsAnd(~(op == Ops.READ ? READ_MASK : WRITE_MASK));
        }
    }

    /** Called from the selector for a selected key; runs the callbacks whose readiness arrived. */
    final int onReady(SelectionKey k) {
        if (!k.isValid()) {
            return 0;
        }
        int ready = k.readyOps();
        boolean r = (ready & readInterest()) != 0 && callbacks.armed(Ops.READ);
        boolean w = (ready & writeInterest()) != 0 && callbacks.armed(Ops.WRITE);
        int remove = (r ? READ_MASK : 0) | (w ? WRITE_MASK : 0);
        if (remove != 0) {
            k.interestOpsAnd(~remove);
        }
        return callbacks.fire(r, w);
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
        try {
            network().bind(local);
        } catch (BindException e) {
            throw SocketErrors.bindFailed(e.getMessage(), local, e);
        }
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
        // The JDK closes a registered channel's descriptor only when its cancelled key leaves the
        // selector, at the next select: until then a listener still completes handshakes and a port
        // stays taken. Deregister now, so that "closed" means closed when close() returns.
        poller.deregisterCancelled();
        callbacks.fire(true, true);
    }
}
