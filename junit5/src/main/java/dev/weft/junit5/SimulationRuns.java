package dev.weft.junit5;

import dev.weft.fibers.Hub;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.hub.sim.SimulationException;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Runs one simulation on the calling thread, for {@link SimulationExtension} and for tests that drive
 * seeds themselves (a hunt for the first failing seed, a determinism check over many seeds). Any
 * thread without a hub.
 */
public final class SimulationRuns {
    private SimulationRuns() {
    }

    /**
     * Runs {@code body} as the main fiber of a {@code sim} hub with {@code settings}; returns the run's
     * simulation (its trace) when the body returned and the simulation itself did not fail.
     *
     * @param recordAll keep the hash after every record, for {@link dev.weft.hub.sim.Trace#firstDivergence}
     * @param replayHint how to replay it, given the seed (for the failure message)
     * @throws AssertionError naming the seed, the replay, the virtual time and the last records, with
     *                        the body's exception or the simulation's failure as its cause
     */
    public static Simulation run(SimSettings settings, boolean recordAll, Function<Long, String> replayHint,
                                 Function<Simulation, Callable<?>> body) {
        Simulation sim = Simulation.prepare(settings);
        if (recordAll) {
            sim.trace().recordAll();
        }
        Throwable failed = null;
        try {
            Hub.run("sim", body.apply(sim));
        } catch (Throwable t) {
            failed = t;
        }
        if (failed == null && sim.failure() != null) {
            failed = sim.failure();
        }
        if (failed != null) {
            throw new AssertionError("Simulation failed at seed " + settings.seed() + ", virtual time "
                    + sim.elapsed() + ", trace " + Long.toHexString(sim.trace().hash()) + " after "
                    + sim.trace().decisions() + " decisions: " + failed
                    + "\n  replay: " + replayHint.apply(settings.seed()) + " (or -Dweft.sim.replay='" + settings.token() + "')"
                    + (failed instanceof SimulationException ? "" : "\nLast records:\n" + sim.trace().last()), failed);
        }
        return sim;
    }

    /** The first seed from {@code first} on (at most {@code seeds} of them) whose run fails, or -1. */
    public static long firstFailingSeed(SimSettings settings, long first, int seeds, Function<Simulation, Callable<?>> body) {
        for (long s = first; s < first + seeds; s++) {
            try {
                run(settings.withSeed(s), false, seed -> "seed " + seed, body);
            } catch (AssertionError failed) {
                return s;
            }
        }
        return -1;
    }
}
