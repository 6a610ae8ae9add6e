package dev.weft.hub.sim;

import dev.weft.hub.DatagramHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A simulated UDP socket. Each datagram gets its own seeded latency (so datagrams reorder), may be
 * lost or duplicated ({@link Simulation#setDatagramFaults}), is lost across a partition, and is
 * dropped when its receiver has no socket on that port or {@value #RECEIVE_BUFFER} bytes already
 * wait; a receive truncates to the buffer's room. Simulation thread.
 */
final class SimDatagram extends SimHandle implements DatagramHandle {
    /** Bytes waiting to be received beyond which arriving datagrams are dropped (Linux's default rmem). */
    static final int RECEIVE_BUFFER = 212_992;

    private record Datagram(byte[] data, InetSocketAddress from) {
    }

    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private int queued;
    private InetSocketAddress remote;

    SimDatagram(SimPoller poller) {
        super(poller);
    }

    @Override
    public void bind(SocketAddress l) throws IOException {
        ensureOpen();
        InetSocketAddress a = (InetSocketAddress) l;
        if (poller.sim.hostAt(a.getAddress(), host) != host) {
            throw dev.weft.hub.SocketErrors.bindFailed("Cannot assign requested address (host " + host
                    + " has another address)", a, null);
        }
        super.bind(l);
        String key = SimNet.key(host, local.getPort());
        if (poller.net.datagrams.containsKey(key)) {
            throw dev.weft.hub.SocketErrors.bindFailed("Address already in use", local, null);
        }
        poller.net.datagrams.put(key, this);
    }

    private InetSocketAddress source() throws IOException {
        if (local == null) {
            bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        InetAddress a = host == poller.sim.local ? InetAddress.getLoopbackAddress() : host.address();
        return new InetSocketAddress(a, local.getPort());
    }

    @Override
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        ensureOpen();
        InetSocketAddress to = target != null ? target : remote;
        if (to == null) {
            throw new java.nio.channels.NotYetConnectedException();
        }
        InetSocketAddress from = source();
        byte[] data = new byte[src.remaining()];
        src.get(data);
        SimHost targetHost = poller.sim.hostAt(to.getAddress(), host);
        SimNet net = poller.net;
        int copies = net.datagramCopies();
        for (int i = 0; i < copies && targetHost != null; i++) {
            net.at(net.arrival(host, targetHost, data.length, poller.nanoTime()), NetEvent.DATAGRAM, data.length, host, targetHost, () -> {
                SimDatagram receiver = net.datagrams.get(SimNet.key(targetHost, to.getPort()));
                if (receiver != null) {
                    receiver.arrived(data, from);
                }
            });
        }
        return data.length;
    }

    private void arrived(byte[] data, InetSocketAddress from) {
        if (!open || queued + data.length > RECEIVE_BUFFER || (remote != null && !remote.equals(from))) {
            return; // dropped, as a full receive buffer or a connected socket drops it
        }
        queue.add(new Datagram(data, from));
        queued += data.length;
        poller.touch(this);
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        ensureOpen();
        Datagram d = queue.poll();
        if (d == null) {
            return null;
        }
        queued -= d.data.length;
        dst.put(d.data, 0, Math.min(d.data.length, dst.remaining()));
        return d.from;
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        ensureOpen();
        source();
        remote = peer;
    }

    @Override
    public void disconnect() {
        remote = null;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    boolean readable() {
        return !queue.isEmpty();
    }

    @Override
    boolean writable() {
        return true;
    }

    @Override
    void closed() {
        if (local != null && poller.net.datagrams.get(SimNet.key(host, local.getPort())) == this) {
            poller.net.datagrams.remove(SimNet.key(host, local.getPort()));
        }
        queue.clear();
    }
}
