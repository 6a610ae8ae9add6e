package dev.weft.hub.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The simulated network of one simulation: its time-ordered delivery queue, its listeners by port,
 * its open connections, the seeded latency of each segment, the links with their own latency or
 * bandwidth ({@link SimLink}) and the faults a test scripts ({@link Simulation#resetAll()},
 * {@link Simulation#setLatency}). Simulation thread.
 */
final class SimNet {
    private final PriorityQueue<NetEvent> events = new PriorityQueue<>();
    private final SplittableRandom rng;
    private final Trace trace;
    /** Listeners by "host address:port". */
    final Map<String, SimListener> listeners = new HashMap<>();
    /** UDP sockets by "host address:port". */
    final Map<String, SimDatagram> datagrams = new HashMap<>();
    private double datagramLoss;
    private double datagramDuplication;
    /** Partitioned pairs of hosts, "a|b" both ways. */
    private final java.util.Set<String> blocked = new java.util.HashSet<>();
    /** Links with their own latency or bandwidth, by directed pair of host names "from|to". */
    private final Map<String, SimLink> links = new HashMap<>();
    /** Deliveries held by a partition, in the order they were due (TCP retransmits them after the heal). */
    private final List<NetEvent> held = new ArrayList<>();
    /** Open connection ends, in the order they were made (never an identity-ordered set: the order reaches the schedule). */
    final List<SimStream> streams = new ArrayList<>();
    private long seq;
    private long minLatency = 100_000;
    private long jitter = 50_000;
    long delivered;
    int nextPort = 49152;

    SimNet(long seed, Trace trace) {
        this.rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.trace = trace;
    }

    void setLatency(long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("latency needs 0 <= min <= max; got " + minNanos + ", " + maxNanos);
        }
        minLatency = minNanos;
        jitter = maxNanos - minNanos;
    }

    /** One segment's one-way latency on a link without its own, drawn from the seed. */
    long latency() {
        return jitter == 0 ? minLatency : minLatency + rng.nextLong(jitter + 1);
    }

    /** The link from {@code a} to {@code b}, made with the network's defaults on first use. */
    private SimLink link(SimHost a, SimHost b) {
        return links.computeIfAbsent(pair(a, b), k -> new SimLink());
    }

    /** Sets the latency range of both directions between {@code a} and {@code b} (distinct hosts). */
    void setLinkLatency(SimHost a, SimHost b, long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("latency needs 0 <= min <= max; got " + minNanos + ", " + maxNanos);
        }
        if (a != b) {
            for (SimLink l : new SimLink[] {link(a, b), link(b, a)}) {
                l.minLatency = minNanos;
                l.jitter = maxNanos - minNanos;
            }
        }
    }

    /** Sets the bandwidth of each direction between {@code a} and {@code b} (distinct hosts); 0: unlimited. */
    void setLinkBandwidth(SimHost a, SimHost b, long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth is bytes per second >= 0 (0: unlimited); got " + bytesPerSecond);
        }
        if (a != b) {
            link(a, b).bytesPerSecond = bytesPerSecond;
            link(b, a).bytesPerSecond = bytesPerSecond;
        }
    }

    /**
     * When a segment of {@code bytes} sent from {@code from} to {@code to} at {@code now} arrives: after
     * the link has serialized it behind the segments sent before it, plus one latency drawn from the
     * seed (the link's own range, or the network's). Within one host: one default latency.
     */
    long arrival(SimHost from, SimHost to, int bytes, long now) {
        SimLink l = links.isEmpty() || from == to || from == null || to == null ? null : links.get(pair(from, to));
        if (l == null) {
            return now + latency();
        }
        long sent = l.serialize(now, bytes);
        if (l.minLatency < 0) {
            return sent + latency();
        }
        return sent + (l.jitter == 0 ? l.minLatency : l.minLatency + rng.nextLong(l.jitter + 1));
    }

    void setDatagramFaults(double loss, double duplication) {
        if (!(loss >= 0 && loss <= 1 && duplication >= 0 && duplication <= 1)) {
            throw new IllegalArgumentException("loss and duplication are probabilities in [0, 1]; got " + loss + ", "
                    + duplication);
        }
        datagramLoss = loss;
        datagramDuplication = duplication;
    }

    /** How many copies of a datagram travel: 0 (lost), 1, or 2 (duplicated), drawn from the seed. */
    int datagramCopies() {
        if (datagramLoss > 0 && rng.nextDouble() < datagramLoss) {
            return 0;
        }
        return datagramDuplication > 0 && rng.nextDouble() < datagramDuplication ? 2 : 1;
    }

    int ephemeralPort() {
        if (nextPort > 65535) {
            throw new IllegalStateException("the simulated host ran out of ephemeral ports (49152-65535)");
        }
        return nextPort++;
    }

    static String key(SimHost host, int port) {
        return host.address().getHostAddress() + ":" + port;
    }

    SimListener listener(SimHost host, int port) {
        return listeners.get(key(host, port));
    }

    void at(long time, int kind, int bytes, SimHost from, SimHost to, Runnable action) {
        events.add(new NetEvent(time, seq++, kind, bytes, from, to, action));
    }

    private static String pair(SimHost a, SimHost b) {
        return a.name() + "|" + b.name();
    }

    void partition(SimHost a, SimHost b) {
        if (a != b) {
            blocked.add(pair(a, b));
            blocked.add(pair(b, a));
        }
    }

    boolean partitioned(SimHost a, SimHost b) {
        return !blocked.isEmpty() && a != null && b != null && blocked.contains(pair(a, b));
    }

    /** Ends every partition; what they held is delivered from {@code now} on, one latency later, in order. */
    void heal(long now) {
        blocked.clear();
        long t = now;
        for (NetEvent e : held) {
            t = Math.max(t, arrival(e.from, e.to, e.bytes, now));
            events.add(new NetEvent(t, seq++, e.kind, e.bytes, e.from, e.to, e.action));
        }
        held.clear();
    }

    /** Runs every delivery due at or before {@code now}; how many ran. */
    int deliver(long now) {
        int n = 0;
        NetEvent e;
        while ((e = events.peek()) != null && e.time <= now) {
            events.poll();
            if (partitioned(e.from, e.to)) {
                if (e.kind != NetEvent.DATAGRAM) { // TCP retransmits what a partition held; a datagram is lost
                    held.add(e);
                }
                continue;
            }
            trace.add(Trace.DELIVERY, e.time, e.kind, e.bytes);
            e.action.run();
            n++;
        }
        delivered += n;
        return n;
    }

    /** When the next delivery is due; {@link Long#MAX_VALUE} if none is pending. */
    long next() {
        NetEvent e = events.peek();
        return e == null ? Long.MAX_VALUE : e.time;
    }

    boolean pending() {
        return !events.isEmpty();
    }
}
