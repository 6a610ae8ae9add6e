package dev.weft.hub.sim;

/**
 * One direction of the link between two simulated hosts: its own latency range (or the network's
 * default) and its bandwidth. A segment of {@code n} bytes goes onto the wire when the link has sent
 * the segments before it, takes {@code n / bytesPerSecond} to serialize, and arrives one latency
 * (drawn from the seed) after its last byte left. Each direction of each pair of hosts is its own
 * link, so two links never slow each other. Simulation thread.
 */
final class SimLink {
    /** The one-way latency range; negative {@code minLatency}: the network's default. */
    long minLatency = -1;
    long jitter;
    /** Bytes per second; 0: unlimited (a segment takes no time to serialize). */
    long bytesPerSecond;
    /** When the wire is free again: the instant the last byte of the last segment sent leaves. */
    private long busyUntil;

    /**
     * When the last byte of a segment of {@code bytes} handed to this link at {@code now} leaves it;
     * the wire is busy until then.
     */
    long serialize(long now, int bytes) {
        if (bytesPerSecond == 0 || bytes == 0) {
            return now;
        }
        long start = Math.max(now, busyUntil);
        // ceil(bytes * 1e9 / rate) without overflow for any int bytes and rate >= 1
        long nanos = (long) Math.ceil(bytes * 1e9 / bytesPerSecond);
        busyUntil = start + nanos;
        return busyUntil;
    }
}
