package dev.weft.hub.sim;

import java.util.Arrays;

/**
 * The record of one simulation run: a running 64-bit hash of every scheduling decision, clock jump and
 * network delivery, the last {@value #KEEP} of them readable for a failure report, and optionally the
 * hash after every record ({@link #recordAll}) so that two runs of one seed can be compared record by
 * record (the first divergent record, as madsim reports it). Simulation thread only.
 */
public final class Trace {
    /** How many records a report shows. */
    public static final int KEEP = 64;
    static final int DECISION = 0;
    static final int JUMP = 1;
    static final int DELIVERY = 2;
    private static final String[] KINDS = {"run fiber", "clock jumps", "network"};

    private final long start;
    private long hash = 0x9E3779B97F4A7C15L;
    private long records;
    private long decisions;
    private final int[] kind = new int[KEEP];
    private final long[] time = new long[KEEP];
    private final long[] a = new long[KEEP];
    private final long[] b = new long[KEEP];
    private long[] all;
    private long[] allTimes;

    Trace(long start) {
        this.start = start;
    }

    /** Keeps the hash after every record from now on (for {@link #firstDivergence}); costs 16 bytes per record. */
    public void recordAll() {
        if (all == null) {
            all = new long[1 << 12];
            allTimes = new long[1 << 12];
        }
    }

    private static long mix(long h, long v) {
        h ^= v;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }

    void add(int k, long now, long x, long y) {
        int i = (int) (records % KEEP);
        kind[i] = k;
        time[i] = now;
        a[i] = x;
        b[i] = y;
        hash = mix(mix(mix(mix(hash, k), now), x), y);
        if (all != null) {
            if (records == all.length) {
                all = Arrays.copyOf(all, all.length * 2);
                allTimes = Arrays.copyOf(allTimes, allTimes.length * 2);
            }
            all[(int) records] = hash;
            allTimes[(int) records] = now;
        }
        records++;
        if (k == DECISION) {
            decisions++;
        }
    }

    /** The hash of every record so far: equal for two runs exactly when (almost surely) they did the same. */
    public long hash() {
        return hash;
    }

    /** Scheduling decisions so far (fibers resumed). */
    public long decisions() {
        return decisions;
    }

    /** Records so far (decisions, clock jumps, network deliveries). */
    public long records() {
        return records;
    }

    /**
     * Where this run and {@code other} (both with {@link #recordAll}) first differ: "record N at
     * t=...", or null if one is a prefix of the other and both have the same length.
     */
    public String firstDivergence(Trace other) {
        if (all == null || other.all == null) {
            throw new IllegalStateException("both traces must record every hash (recordAll) before the run");
        }
        long n = Math.min(records, other.records);
        for (int i = 0; i < n; i++) {
            if (all[i] != other.all[i]) {
                return "record " + i + " (of " + records + " and " + other.records + ") at t=" + seconds(allTimes[i])
                        + " s and t=" + seconds(other.allTimes[i]) + " s";
            }
        }
        return records == other.records ? null : "record " + n + " (one run ended there: " + records + " and "
                + other.records + " records)";
    }

    private String seconds(long t) {
        return String.format("%.6f", (t - start) / 1e9);
    }

    /** The last {@value #KEEP} records, oldest first, one a line. */
    public String last() {
        StringBuilder sb = new StringBuilder();
        for (long r = Math.max(0, records - KEEP); r < records; r++) {
            int i = (int) (r % KEEP);
            sb.append("  t=").append(seconds(time[i])).append(" s ").append(KINDS[kind[i]]);
            switch (kind[i]) {
                case DECISION -> sb.append(" #").append(a[i]).append(" (of ").append(b[i]).append(" ready)");
                case JUMP -> sb.append(" by ").append(String.format("%.6f", a[i] / 1e9)).append(" s");
                default -> sb.append(' ').append(NetEvent.describe((int) a[i])).append(' ').append(b[i]).append(" bytes");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
