package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FibersStressScenario;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The fibers stress scenario ({@link FibersStressScenario}, the one {@code FibersStressTest} runs,
 * without its platform threads, which cannot run under simulation) in virtual time, under seeded
 * schedules: workers do random queue puts and timed polls, semaphore and re-entrant lock sections,
 * event set/clear/await, child fibers, and imap / imapUnordered runs over a Pool and a Group, each
 * under random short Timeouts, while a killer fiber kills a random worker and a random imap worker
 * (now and then a whole imap group) every virtual millisecond. Invariants at the end: every item put
 * is got exactly once, no permit or lock is held, every worker's finally ran exactly once, every imap
 * run saw each item once (in order for imap). Each seed runs 100 ms of virtual time, twice (the
 * determinism check).
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class FibersStressSimTest {
    private static final int WORKERS = 30;

    @SimulationTest(seeds = 200, checkDeterminism = true)
    void primitivesSurviveRandomOperationsKillsAndTimeoutsInVirtualTime(Simulation sim) {
        FibersStressScenario scenario = new FibersStressScenario(sim.settings().seed(), WORKERS, null, null, null);
        scenario.start();
        Fiber.sleep(100);
        scenario.finishAndCheck("seed " + sim.settings().seed());
        FibersStressScenario.Books b = scenario.books();
        assertTrue(b.imapRuns > 0 && b.items() > 0 && b.kills > 10, "the scenario did nothing: " + b.imapRuns
                + " imap runs, " + b.items() + " items, " + b.kills + " kills at t=" + Hub.current().nanoTime());
    }
}
