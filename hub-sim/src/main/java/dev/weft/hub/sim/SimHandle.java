package dev.weft.hub.sim;

import dev.weft.hub.IoHandle;
import dev.weft.hub.ReadinessCallbacks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the simulated handles share: readiness callbacks fired from {@link SimPoller#poll} (level
 * triggered, as the IoHandle contract asks: an await on a ready handle fires at the next poll), socket
 * options kept as set, the local address. Simulation thread.
 */
abstract class SimHandle implements IoHandle {
    final SimPoller poller;
    final ReadinessCallbacks callbacks = new ReadinessCallbacks();
    final Map<SocketOption<?>, Object> options = new LinkedHashMap<>();
    InetSocketAddress local;
    boolean open = true;

    /** The simulated machine this socket belongs to. */
    SimHost host;

    SimHandle(SimPoller poller) {
        this.poller = poller;
        this.host = poller.currentHost();
    }

    abstract boolean readable();

    abstract boolean writable();

    @Override
    public void await(int op, Runnable callback) {
        if (!open) {
            throw new IllegalStateException("await on a closed simulated socket");
        }
        callbacks.arm(op, callback);
        if ((op == dev.weft.hub.Ops.READ && readable()) || (op == dev.weft.hub.Ops.WRITE && writable())) {
            poller.touch(this); // level-triggered: fire at the next poll
        }
    }

    /** Fires the armed callbacks of the directions that are ready now. */
    int fire() {
        return callbacks.fire(readable() || !open, writable() || !open);
    }

    @Override
    public void cancelAwait(int op) {
        callbacks.cancel(op);
    }

    @Override
    public void bind(SocketAddress l) throws IOException {
        InetSocketAddress a = (InetSocketAddress) l;
        local = a.getPort() == 0 ? new InetSocketAddress(a.getAddress(), poller.net.ephemeralPort()) : a;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        if (option == StandardSocketOptions.SO_REUSEPORT) {
            throw new UnsupportedOperationException("the simulation backend has no SO_REUSEPORT: a simulated port has one"
                    + " socket, so a server cannot be spread over the hubs of a group by the kernel; under simulation"
                    + " start the server on one hub (StreamServer/DatagramServer builder's start(), not startOn(group))");
        }
        options.put(option, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) {
        return (T) options.get(option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> s = new LinkedHashSet<>();
        s.add(StandardSocketOptions.TCP_NODELAY);
        s.add(StandardSocketOptions.SO_KEEPALIVE);
        s.add(StandardSocketOptions.SO_REUSEADDR);
        s.add(StandardSocketOptions.SO_RCVBUF);
        s.add(StandardSocketOptions.SO_SNDBUF);
        s.add(StandardSocketOptions.SO_LINGER);
        return s;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        closed();
        callbacks.fire(true, true);
    }

    void closed() {
    }
}
