package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.sim.SimSettings;
import dev.weft.sockets.EchoStressClients;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationRuns;
import dev.weft.junit5.SimulationTest;
import dev.weft.testkit.Measurements;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The sockets stress scenario ({@link EchoStressScenario}) under simulation: its invariants under many
 * seeds and every policy, and determinism checked, not assumed: 200 seeds run twice give 200 pairs of
 * equal trace hashes, and different seeds give different traces. {@code ./weft stress --sim --seeds N}
 * runs {@link #manySeeds} with N seeds from a random first one.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class SocketsStressSimTest {
    static final int SEEDS = 200;

    @Test
    void twoHundredSeedsRunTwiceGiveEqualTracesAndDifferentSeedsDifferentOnes() {
        Set<Long> distinct = new HashSet<>();
        long decisions = 0;
        long wall = System.nanoTime();
        for (long seed = 1; seed <= SEEDS; seed++) {
            SimSettings s = SimSettings.of(seed);
            Simulation first = SimulationRuns.run(s, true, SocketsStressSimTest::hint, SocketsStressSimTest::scenario);
            Simulation second = SimulationRuns.run(s, true, SocketsStressSimTest::hint, SocketsStressSimTest::scenario);
            assertEquals(null, first.trace().firstDivergence(second.trace()), "seed " + seed + " ran differently twice");
            assertEquals(first.trace().hash(), second.trace().hash(), "seed " + seed);
            distinct.add(first.trace().hash());
            decisions += first.trace().decisions();
        }
        assertEquals(SEEDS, distinct.size(), "different seeds gave equal traces");
        Measurements.record("simulation determinism: sockets stress scenario, " + SEEDS + " seeds x 2 runs, equal"
                + " traces, " + distinct.size() + " distinct; " + decisions + " decisions per pass; "
                + (System.nanoTime() - wall) / 1_000_000 + " ms wall");
    }

    @SimulationTest(seeds = 100, policy = SimSettings.Policy.FIFO)
    void manySeedsInFifoOrder(Simulation sim) throws Exception {
        new EchoStressScenario(sim.settings().seed(), 6, Duration.ofMillis(200)).run(sim);
    }

    @SimulationTest(seeds = 100, policy = SimSettings.Policy.PCT)
    void manySeedsInPctOrder(Simulation sim) throws Exception {
        new EchoStressScenario(sim.settings().seed(), 6, Duration.ofMillis(200)).run(sim);
    }

    @SimulationTest(seeds = 100)
    void manySeeds(Simulation sim) throws Exception {
        long[] stats = new EchoStressScenario(sim.settings().seed(), 6, Duration.ofMillis(200)).run(sim);
        assertTrue(stats[EchoStressClients.KILLS] > 50, "kills: " + stats[EchoStressClients.KILLS]);
    }

    private static String hint(long seed) {
        return "seed " + seed + " of SocketsStressSimTest";
    }

    private static java.util.concurrent.Callable<?> scenario(Simulation sim) {
        return () -> new EchoStressScenario(sim.settings().seed(), 6, Duration.ofMillis(200)).run(sim);
    }
}
