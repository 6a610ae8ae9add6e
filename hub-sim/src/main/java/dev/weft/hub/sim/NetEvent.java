package dev.weft.hub.sim;

/**
 * One delivery of the simulated network, due at a virtual instant; ties break by the order they
 * were made in, so the queue's order is the same in every run of a seed. Simulation thread.
 */
final class NetEvent implements Comparable<NetEvent> {
    static final int SYN = 0;
    static final int ANSWER = 1;
    static final int DATA = 2;
    static final int FIN = 3;
    static final int RST = 4;
    static final int SCRIPT = 5;
    static final int DATAGRAM = 6;
    private static final String[] NAMES = {"SYN", "SYN answered", "data", "FIN", "RST", "scripted", "datagram"};

    final long time;
    final long seq;
    final int kind;
    final int bytes;
    /** The hosts it travels between; null for a scripted event (never held by a partition). */
    final SimHost from;
    final SimHost to;
    final Runnable action;

    NetEvent(long time, long seq, int kind, int bytes, SimHost from, SimHost to, Runnable action) {
        this.time = time;
        this.seq = seq;
        this.kind = kind;
        this.bytes = bytes;
        this.from = from;
        this.to = to;
        this.action = action;
    }

    static String describe(int kind) {
        return NAMES[kind];
    }

    @Override
    public int compareTo(NetEvent o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }
}
