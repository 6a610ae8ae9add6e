package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationRuns;
import dev.weft.junit5.SimulationTest;
import dev.weft.testkit.Measurements;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The simulation finds two real defects fixed earlier, kept as mutants in test code ({@link
 * OldImapUnordered}: commit 24ed1d3; {@link OldIwait}: commit 34dfe2e): the scenario of each fails
 * against the mutant within {@value #HUNT} seeds, the failing seed replays to the same failure with the
 * same trace, and the fixed code passes the same scenario under hundreds of seeds. The seed counts and
 * wall times go to {@code target/measurements.txt}.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class DefectHuntTest {
    /** The most seeds a hunt may take. */
    static final int HUNT = 1_000;

    @SimulationTest(seeds = 300)
    void theFixedImapKeepsEveryItem(Simulation sim) {
        DefectScenarios.imapKeepsEveryItem(sim.settings().seed(), DefectScenarios.FIXED_IMAP);
    }

    @SimulationTest(seeds = 300)
    void theFixedIwaitSeesEverySetEvent(Simulation sim) {
        DefectScenarios.iwaitSeesEverySetEvent(sim.settings().seed(), DefectScenarios.FIXED_IWAIT);
    }

    /**
     * The third defect (issue 16, fixed in cf1c774): a catch-and-retry loop inside an expired sticky
     * Timeout re-threw the timeout at once, without switching, so the hub never ran timers again. Fixed,
     * the re-delivery goes through the hub: in 300 ms of virtual time a 10 ms ticker ticks on time. With
     * the re-delivery thrown at once (the mutation, on a scratch copy of FiberCore), the simulation
     * reports "livelock at t=0.005... s: fiber #1 threw 10000 interruptions in one step without switching".
     */
    @SimulationTest(seeds = 5)
    void aRetryLoopInAnExpiredStickyTimeoutLetsTimersRun(Simulation sim) {
        int[] ticks = new int[1];
        dev.weft.fibers.Fiber<Void> ticker = dev.weft.fibers.Fiber.spawn("ticker", () -> {
            while (true) {
                dev.weft.fibers.Fiber.sleep(10);
                ticks[0]++;
            }
        });
        dev.weft.fibers.Queue<String> q = new dev.weft.fibers.Queue<>(1);
        long end = dev.weft.fibers.Hub.current().nanoTime() + 300_000_000L;
        int spins = 0;
        try (dev.weft.fibers.Timeout t = dev.weft.fibers.Timeout.sticky(java.time.Duration.ofMillis(5))) {
            while (dev.weft.fibers.Hub.current().nanoTime() < end) {
                try {
                    q.get();
                } catch (dev.weft.fibers.FiberTimeoutException e) {
                    spins++;
                }
            }
        }
        ticker.kill();
        assertTrue(spins > 1_000, "retries: " + spins);
        assertTrue(ticks[0] >= 29, "the 10 ms ticker ran " + ticks[0] + " times in 300 ms of virtual time");
    }

    @Test
    void theOldImapIsCaughtLosingAnItemAndReplayedFromItsSeed() {
        hunt("imap (24ed1d3 reverted)", "imap returned",
                seed -> DefectScenarios.imapKeepsEveryItem(seed, DefectScenarios.OLD_IMAP));
    }

    @Test
    void theOldIwaitIsCaughtMissingAnEventAndReplayedFromItsSeed() {
        hunt("iwait (34dfe2e reverted)", "iwait returned 3 of 4",
                seed -> DefectScenarios.iwaitSeesEverySetEvent(seed, DefectScenarios.OLD_IWAIT));
    }

    private static void hunt(String defect, String symptom, Consumer<Long> scenario) {
        SimSettings settings = SimSettings.of(1);
        long wall = System.nanoTime();
        long seed = SimulationRuns.firstFailingSeed(settings, 1, HUNT, sim -> () -> {
            scenario.accept(sim.settings().seed());
            return null;
        });
        long huntMillis = (System.nanoTime() - wall) / 1_000_000;
        assertTrue(seed > 0, "the simulation did not find the " + defect + " defect in " + HUNT + " seeds");
        AssertionError first = replay(settings.withSeed(seed), scenario);
        AssertionError again = replay(settings.withSeed(seed), scenario);
        assertTrue(first.getMessage().startsWith("Simulation failed at seed " + seed + ", virtual time "),
                first.getMessage());
        assertTrue(first.getMessage().contains(symptom), first.getMessage());
        assertEquals(first.getMessage(), again.getMessage(), "the replay of seed " + seed + " differs");
        Measurements.record("simulation hunt " + defect + ": failing seed " + seed + " (first seed 1), " + huntMillis
                + " ms wall for the hunt; replayed twice, the same failure and trace");
    }

    private static AssertionError replay(SimSettings settings, Consumer<Long> scenario) {
        return assertThrows(AssertionError.class, () -> SimulationRuns.run(settings, false, s -> "seed " + s,
                sim -> () -> {
                    scenario.accept(sim.settings().seed());
                    return null;
                }));
    }
}
