package dev.weft.hub.sim;

import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One end of a simulated TCP connection. A write takes what fits in the window
 * (64 KiB in flight plus unread), the bytes arrive at the peer one latency later (never before
 * earlier bytes of this direction); a read frees window and wakes the peer's writer; close sends
 * FIN after the data, or RST if unread data is left. Each segment's latency is drawn from the seed
 * (and a link with a bandwidth serializes it behind earlier segments first, see {@link SimLink});
 * a direction's segments never overtake each other (TCP order). Simulation thread.
 */
final class SimStream extends SimHandle implements StreamHandle {
    static final int WINDOW = 64 * 1024;
    SimStream peer;
    InetSocketAddress remote;
    private byte[] in = new byte[1024];
    private int inHead;
    private int inSize;
    /** Bytes written towards the peer that have not arrived yet. */
    int inFlight;
    private long lastArrival;
    boolean connected;
    boolean refused;
    boolean eof;
    boolean reset;
    boolean outputShut;
    boolean inputShut;

    SimStream(SimPoller poller) {
        super(poller);
        poller.net.streams.add(this);
    }

    @Override
    public boolean connect(InetSocketAddress to) throws IOException {
        ensureOpen();
        remote = to;
        if (local == null) {
            local = new InetSocketAddress(host == poller.sim.local ? InetAddress.getLoopbackAddress() : host.address(),
                    poller.net.ephemeralPort());
        }
        SimNet net = poller.net;
        SimHost target = poller.sim.hostAt(to.getAddress(), host);
        if (target == null) {
            return false; // no such host: the SYN goes nowhere and the connect waits for its timeout
        }
        long syn = net.arrival(host, target, 0, poller.nanoTime());
        net.at(syn, NetEvent.SYN, 0, host, target, () -> {
            SimListener l = net.listener(target, to.getPort());
            if (!open) {
                return;
            }
            if (l == null || !l.open || l.pending.size() >= l.backlog || (l.loopbackOnly() && target != host)) {
                net.at(net.arrival(target, host, 0, poller.nanoTime()), NetEvent.ANSWER, 0, target, host, () -> {
                    refused = true;
                    poller.touch(this);
                });
                return;
            }
            SimStream server = new SimStream(l.poller);
            server.host = target;
            server.local = l.address();
            server.remote = local;
            server.peer = this;
            server.connected = true;
            peer = server;
            l.pending.add(server);
            l.poller.touch(l);
            net.at(net.arrival(target, host, 0, poller.nanoTime()), NetEvent.ANSWER, 0, target, host, () -> {
                connected = true;
                poller.touch(this);
            });
        });
        return false;
    }

    @Override
    public boolean finishConnect() throws IOException {
        if (refused) {
            throw SocketErrors.connectFailed("Connection refused", remote, null);
        }
        return connected;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (inputShut) {
            return -1;
        }
        if (inSize == 0) {
            if (reset) {
                throw SocketErrors.connectionReset(null);
            }
            return eof ? -1 : 0;
        }
        int n = Math.min(dst.remaining(), inSize);
        int first = Math.min(n, in.length - inHead);
        dst.put(in, inHead, first);
        if (n > first) {
            dst.put(in, 0, n - first);
        }
        inHead = (inHead + n) % in.length;
        inSize -= n;
        if (peer != null) {
            peer.poller.touch(peer); // window freed: the peer's writer may go on
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (outputShut) {
            throw SocketErrors.outputShutdown();
        }
        SimStream p = peer;
        if (reset || p == null) { // a peer that closed answers the data with a reset (see below), as TCP does
            throw SocketErrors.brokenPipe(null);
        }
        int room = WINDOW - inFlight - p.inSize;
        int n = Math.min(room, src.remaining());
        if (n <= 0) {
            return 0;
        }
        byte[] seg = new byte[n];
        src.get(seg);
        inFlight += n;
        long at = Math.max(poller.net.arrival(host, p.host, n, poller.nanoTime()), lastArrival);
        lastArrival = at;
        poller.net.at(at, NetEvent.DATA, n, host, p.host, () -> {
            inFlight -= n;
            if (p.open && !p.inputShut) {
                p.append(seg);
            } else if (!p.open) {
                p.sendFin(true); // data for a closed socket: its host answers with a reset
            }
            p.poller.touch(p);
        });
        return n;
    }

    private void append(byte[] seg) {
        if (inSize + seg.length > in.length) {
            byte[] bigger = new byte[Math.max(in.length * 2, inSize + seg.length)];
            for (int i = 0; i < inSize; i++) {
                bigger[i] = in[(inHead + i) % in.length];
            }
            in = bigger;
            inHead = 0;
        }
        int tail = (inHead + inSize) % in.length;
        int first = Math.min(seg.length, in.length - tail);
        System.arraycopy(seg, 0, in, tail, first);
        System.arraycopy(seg, first, in, 0, seg.length - first);
        inSize += seg.length;
    }

    private void sendFin(boolean rst) {
        SimStream p = peer;
        if (p == null) {
            return;
        }
        long at = Math.max(poller.net.arrival(host, p.host, 0, poller.nanoTime()), lastArrival);
        lastArrival = at;
        poller.net.at(at, rst ? NetEvent.RST : NetEvent.FIN, 0, host, p.host, () -> {
            if (rst) {
                p.reset = true;
            } else {
                p.eof = true;
            }
            p.poller.touch(p);
        });
    }

    /** The network resets this connection: each end reads what arrived so far, then "Connection reset". */
    void resetByNetwork() {
        if (peer != null) {
            sendFin(true);
            peer.sendFin(true);
        } else {
            reset = true;
            poller.touch(this);
        }
    }

    @Override
    public void shutdownOutput() {
        if (!outputShut) {
            outputShut = true;
            sendFin(false);
        }
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    boolean readable() {
        return inSize > 0 || eof || reset || inputShut;
    }

    @Override
    boolean writable() {
        return connected ? (peer == null || inFlight + peer.inSize < WINDOW || reset) : refused;
    }

    @Override
    void closed() {
        poller.net.streams.remove(this);
        Object linger = options.get(java.net.StandardSocketOptions.SO_LINGER);
        boolean abort = inSize > 0 || (linger instanceof Integer l && l == 0); // unread data or SO_LINGER 0: RST
        if (abort) {
            sendFin(true);
        } else if (!outputShut) {
            sendFin(false);
        }
        outputShut = true;
    }

    @Override
    public String toString() {
        return "SimStream(" + local + " -> " + remote + ")";
    }
}
