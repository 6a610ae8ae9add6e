package dev.weft.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * The table {@code ./weft bench} prints: each benchmark's time per operation and its <em>rate</em>
 * relative to two baselines from the same run, so that machine noise cancels out:
 * <ul>
 *   <li>{@code ×raw}: switches per second relative to {@link RawContinuationYield} (1.00 = as fast
 *       as a bare continuation resume + yield; the ceiling for any fiber switch). A benchmark with a
 *       {@code fibers} parameter is compared with the raw run whose {@code continuations} is the same
 *       count (all of them active in both), when the run has it, and so is
 *       {@link RawContinuationPingPong} (by its {@code continuations}); the others with one
 *       continuation; spawn + join with {@link RawContinuationStartFinish} (create, run to the end, drop);
 *   <li>{@code ×VT}: operations per second relative to the matching virtual-thread baseline
 *       (ping-pongs and yields against {@link VirtualThreadParkPingPong}, or, with 1,000 fibers or
 *       more, against {@link VirtualThreadYield} with as many threads; spawn + join against
 *       {@link VirtualThreadStartJoin}); above 1 means faster than virtual threads.
 * </ul>
 * Scores are JMH averages in ns/op (AverageTime mode) with JMH's 99.9% error.
 */
final class ResultTable {
    /** Context switches in one operation of each benchmark; benchmarks not listed have no ×raw ratio. */
    private static final Map<String, Integer> SWITCHES_PER_OP = Map.ofEntries(
            Map.entry("RawContinuationYield.resumeAndYield", 1),
            Map.entry("RawContinuationPingPong.roundTrip", 2),
            Map.entry("FiberYield.yieldRoundRobin", 1),
            Map.entry("VirtualThreadYield.yieldRoundRobin", 1),
            Map.entry("FiberSleep.zero", 1),
            Map.entry("EventPingPong.roundTrip", 2),
            Map.entry("QueuePingPong.roundTrip", 2),
            Map.entry("AsyncResultPingPong.roundTrip", 2),
            Map.entry("WaiterHandoff.roundTrip", 2),
            Map.entry("VirtualThreadParkPingPong.roundTrip", 2),
            Map.entry("VirtualThreadSynchronousQueuePingPong.roundTrip", 2),
            Map.entry("PlatformThreadParkPingPong.roundTrip", 2));
    private static final String VT_SWITCH = "VirtualThreadParkPingPong.roundTrip";
    private static final String VT_START = "VirtualThreadStartJoin.oneAtATime";
    private static final String VT_YIELD = "VirtualThreadYield.yieldRoundRobin";
    private static final String RAW = "RawContinuationYield.resumeAndYield";

    private ResultTable() {
    }

    static String render(Collection<RunResult> runs, List<ParkedMemory.Result> memory) {
        List<RunResult> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing((RunResult r) -> isBaseline(name(r)) ? 0 : 1).thenComparing(ResultTable::name)
                .thenComparing(r -> label(r.getParams())));
        OptionalDouble raw = score(runs, RAW, "continuations", "1");
        OptionalDouble vtSwitch = score(runs, VT_SWITCH, null, null);
        OptionalDouble vtStart = score(runs, VT_START, null, null);
        OptionalDouble rawStart = score(runs, "RawContinuationStartFinish.createRunFinish", null, null);

        StringBuilder out = new StringBuilder();
        int paramsWidth = Math.max(22, sorted.stream().mapToInt(r -> label(r.getParams()).length()).max().orElse(0));
        if (sorted.stream().anyMatch(r -> r.getParams().getMode() != org.openjdk.jmh.annotations.Mode.Throughput)) {
            out.append(String.format("%-50s %-" + paramsWidth + "s %12s %9s %10s %7s %7s%n", "benchmark", "params", "ns/op", "±", "Mops/s",
                    "×raw", "×VT"));
        }
        List<RunResult> throughput = new ArrayList<>();
        for (RunResult r : sorted) {
            if (r.getParams().getMode() == org.openjdk.jmh.annotations.Mode.Throughput) {
                throughput.add(r); // the driver benchmarks: ops/s, listed below
                continue;
            }
            String name = name(r);
            double ns = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            Integer switches = SWITCHES_PER_OP.get(name);
            String count = param(r, "fibers") != null ? param(r, "fibers")
                    : param(r, "threads") != null ? param(r, "threads")
                    : name.equals(RAW) ? null : param(r, "continuations");
            // as many continuations, all active; the 2-fiber runs compare with the 1-continuation one
            OptionalDouble rawHere = count == null ? OptionalDouble.empty()
                    : score(runs, RAW, "continuations", count.equals("2") ? "1" : count);
            OptionalDouble vtHere = count == null || count.equals("2") ? OptionalDouble.empty()
                    : score(runs, VT_YIELD, "threads", count);
            if (rawHere.isEmpty()) {
                rawHere = raw;
            }
            String xRaw = rawHere.isPresent() && switches != null ? ratio(rawHere.getAsDouble() * switches / ns) : "";
            String xVt = "";
            if (name.equals(VT_SWITCH) || name.equals(VT_YIELD)) {
                xVt = ""; // the baselines themselves
            } else if (switches != null && vtHere.isPresent()) {
                xVt = ratio(vtHere.getAsDouble() * switches / ns); // as many virtual threads, all active
            } else if (switches != null && vtSwitch.isPresent()) {
                xVt = ratio(vtSwitch.getAsDouble() / 2 * switches / ns);
            } else if (name.startsWith("SpawnJoin.") && vtStart.isPresent()) {
                xVt = ratio(vtStart.getAsDouble() / ns);
            }
            if (name.startsWith("SpawnJoin.") && rawStart.isPresent()) {
                xRaw = ratio(rawStart.getAsDouble() / ns); // against create + run + finish of a bare continuation
            }
            out.append(String.format("%-50s %-" + paramsWidth + "s %12.1f %9.1f %10.2f %7s %7s%n", name, label(r.getParams()), ns,
                    Double.isNaN(err) ? 0.0 : err, 1_000.0 / ns, xRaw, xVt));
        }
        if (!throughput.isEmpty()) {
            // round trips per second, and the ratio to the same benchmark and parameters with runner=virtual
            out.append(String.format("%s%-50s %-40s %12s %9s %7s%n", out.isEmpty() ? "" : System.lineSeparator(),
                    "benchmark (throughput)", "params", "ops/s", "±", "×VT"));
            for (RunResult r : throughput) {
                String vtLabel = label(r.getParams()).replaceAll("runner=\\w+", "runner=virtual");
                OptionalDouble vt = throughput.stream()
                        .filter(o -> name(o).equals(name(r)) && label(o.getParams()).equals(vtLabel))
                        .mapToDouble(o -> o.getPrimaryResult().getScore()).findFirst();
                double score = r.getPrimaryResult().getScore();
                double err = r.getPrimaryResult().getScoreError();
                out.append(String.format("%-50s %-40s %12.0f %9.0f %7s%n", name(r), label(r.getParams()), score,
                        Double.isNaN(err) ? 0.0 : err, vt.isPresent() ? ratio(score / vt.getAsDouble()) : ""));
            }
        }
        if (!memory.isEmpty()) {
            out.append(String.format("%nRetained heap per parked item (%,d items, heap used after GC; max heap %,d MiB; from round 4 on, the"
                    + " first round that agreed with the one before within 1 %%):%n",
                    memory.get(0).count(), Runtime.getRuntime().maxMemory() >> 20));
            for (ParkedMemory.Result m : memory) {
                out.append(String.format("  %-46s %8.0f B   (%,d MiB in all; round %d)%n", m.what(), m.bytesPerItem(),
                        m.bytes() >> 20, m.round()));
            }
        }
        return out.toString();
    }

    private static boolean isBaseline(String name) {
        return name.startsWith("RawContinuation") || name.startsWith("VirtualThread") || name.startsWith("PlatformThread");
    }

    /** {@code Class.method} without the package. */
    private static String name(RunResult r) {
        String full = r.getParams().getBenchmark();
        String[] parts = full.split("\\.");
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static String label(BenchmarkParams params) {
        StringBuilder sb = new StringBuilder();
        for (String key : params.getParamsKeys()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(key.equals("backend") ? "" : key + "=").append(params.getParam(key));
        }
        return sb.toString();
    }

    /**
     * The score of {@code name} run with parameter {@code key} = {@code value} ({@code key} null: any
     * run of it); a raw baseline only without extra frames (its {@code frames} experiment).
     */
    private static OptionalDouble score(Collection<RunResult> runs, String name, String key, String value) {
        return runs.stream().filter(r -> name(r).equals(name))
                .filter(r -> key == null || value.equals(param(r, key)))
                .filter(r -> param(r, "frames") == null || param(r, "frames").equals("0"))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst();
    }

    /** A parameter of the run; null if the benchmark has none of that name. */
    private static String param(RunResult r, String key) {
        return r.getParams().getParamsKeys().contains(key) ? r.getParams().getParam(key) : null;
    }

    private static String ratio(double x) {
        return String.format("%.2f", x);
    }
}
