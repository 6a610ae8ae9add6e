package dev.weft.hub.sim;

import dev.weft.hub.ListenerHandle;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A simulated listening socket: connections wait in {@link #pending} (at most the backlog; a SYN
 * beyond it is refused) until accepted. One listener per port of a host: bound to the wildcard or the
 * host's address it takes every host's connects; bound to 127.0.0.1 only its own host's (another
 * host's connect is refused, as on a real machine). Simulation thread.
 */
final class SimListener extends SimHandle implements ListenerHandle {
    final ArrayDeque<SimStream> pending = new ArrayDeque<>();
    int backlog;

    SimListener(SimPoller poller) {
        super(poller);
    }

    @Override
    public void bind(SocketAddress l, int backlog) throws IOException {
        bind(l);
        SimHost on = poller.sim.hostAt(local.getAddress(), host);
        if (on != host) {
            throw SocketErrors.bindFailed("Cannot assign requested address (host " + host + " has another address)",
                    local, null);
        }
        String key = SimNet.key(host, local.getPort());
        if (poller.net.listeners.containsKey(key)) {
            throw SocketErrors.bindFailed("Address already in use", local, null);
        }
        this.backlog = backlog <= 0 ? 128 : backlog;
        poller.net.listeners.put(key, this);
    }

    @Override
    public StreamHandle accept() throws IOException {
        ensureOpen();
        return pending.poll();
    }

    @Override
    boolean readable() {
        return !pending.isEmpty();
    }

    @Override
    boolean writable() {
        return false;
    }

    @Override
    void closed() {
        if (local != null && poller.net.listeners.get(SimNet.key(host, local.getPort())) == this) {
            poller.net.listeners.remove(SimNet.key(host, local.getPort()));
        }
        for (SimStream s : pending) {
            s.resetByNetwork(); // never accepted: the client sees a reset
        }
        pending.clear();
    }

    /** Bound to 127.0.0.1 (or ::1): only its own host's connects reach it; another host's are refused. */
    boolean loopbackOnly() {
        return local != null && local.getAddress().isLoopbackAddress();
    }

    InetSocketAddress address() {
        return local;
    }
}
