package dev.weft.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * {@link SimulationTest} from the outside: sample classes (nested, so Surefire does not run them) run
 * through JUnit's engine. A lost update between two fibers is found at some seed, the failure names
 * the seed and the replay, {@code -Dweft.sim.seed} replays exactly that run, the same seed runs the
 * same way, a body that reads real time is caught by the determinism check, and a passing run is quiet.
 */
@org.junit.jupiter.api.Timeout(120)
class SimulationExtensionTest {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private static EngineExecutionResults run(Class<?> sample) {
        SEEN.clear();
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    private static <T> T withProperty(String name, String value, Supplier<T> body) {
        String old = System.setProperty(name, value);
        try {
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, old);
            }
        }
    }

    private static Throwable onlyFailure(EngineExecutionResults r) {
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(1, failed.size(), "failed tests: " + failed);
        return failed.get(0).getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    }

    /** Two fibers add to a counter with a switch between read and write: a lost update under some orders. */
    static class LostUpdate {
        @SimulationTest(seeds = 500)
        void counterReachesTwoHundred(Simulation sim) {
            SEEN.add("seed " + sim.settings().seed());
            int[] counter = new int[1];
            List<Fiber<Void>> fs = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                fs.add(Fiber.spawn(() -> {
                    for (int i = 0; i < 100; i++) {
                        int read = counter[0];
                        if (i % 10 == 0) {
                            Fiber.yield(); // the race: another fiber may add meanwhile
                        }
                        counter[0] = read + 1;
                    }
                }));
            }
            Fiber.joinAll(fs, null);
            assertEquals(200, counter[0], "lost updates");
        }
    }

    @Test
    void theFirstFailingSeedStopsTheTestAndNamesTheReplay() {
        Throwable t = onlyFailure(run(LostUpdate.class));
        Matcher m = Pattern.compile("^Simulation failed at seed (\\d+), virtual time ([0-9.]+ s), trace ([0-9a-f]+) after")
                .matcher(t.getMessage());
        assertTrue(m.find(), t.getMessage());
        long seed = Long.parseLong(m.group(1));
        assertEquals("seed " + seed, SEEN.get(SEEN.size() - 1), "it stopped at the failing seed");
        assertEquals(seed, SEEN.size(), "seeds 1.." + seed + " ran, no more");
        assertTrue(t.getMessage().contains("replay: -Dtest=LostUpdate#counterReachesTwoHundred -Dweft.sim.seed=" + seed),
                t.getMessage());
        assertTrue(t.getMessage().contains("Last records:\n  t=0.000000 s run fiber #1 (of 1 ready)"), t.getMessage());
        assertTrue(t.getCause().getMessage().startsWith("lost updates"), t.getCause().getMessage());

        Throwable replayed = withProperty(SimSettings.SEED, Long.toString(seed), () -> onlyFailure(run(LostUpdate.class)));
        assertEquals(List.of("seed " + seed), SEEN, "the replay runs that seed alone");
        assertEquals(t.getMessage(), replayed.getMessage(), "the replay is the same run: same time, trace and records");

        String token = t.getMessage().replaceAll("(?s).*-Dweft.sim.replay='([^']+)'.*", "$1");
        Throwable byToken = withProperty("weft.sim.replay", token, () -> onlyFailure(run(LostUpdate.class)));
        assertEquals(t.getMessage(), byToken.getMessage());
    }

    /** A body that lets real time decide: the same seed does not run the same way twice. */
    static class ReadsRealTime {
        @SimulationTest(seeds = 5, checkDeterminism = true)
        void dependsOnTheMachine() {
            long spins = (System.nanoTime() / 1_000) % 7; // not from the seed
            for (long i = 0; i <= spins; i++) {
                Fiber.yield();
            }
        }
    }

    @Test
    void theDeterminismCheckReportsTheFirstDivergentRecord() {
        Throwable t = null;
        for (int attempt = 0; attempt < 20 && t == null; attempt++) { // equal readings twice in a row happen (1 in 7)
            EngineExecutionResults r = run(ReadsRealTime.class);
            if (r.testEvents().failed().count() == 1) {
                t = onlyFailure(r);
            }
        }
        assertTrue(t != null, "20 runs of a body that reads the real clock were all deterministic");
        assertTrue(t.getMessage().startsWith("Simulation is not deterministic: seed "), t.getMessage());
        assertTrue(t.getMessage().contains("traces differ at record "), t.getMessage());
    }

    /** Passes: an hour of virtual time, quietly. */
    static class Passes {
        @SimulationTest(seeds = 20, checkDeterminism = true)
        void sleepsAnHour(Simulation sim) {
            long start = Hub.current().nanoTime();
            Fiber.sleep(Duration.ofHours(1));
            SEEN.add((Hub.current().nanoTime() - start) / 1_000_000_000L + " s");
        }
    }

    @Test
    void aPassingTestRunsEverySeedTwiceWhenCheckingDeterminism() {
        EngineExecutionResults r = run(Passes.class);
        assertEquals(1, r.testEvents().succeeded().count());
        assertEquals(40, SEEN.size());
        assertTrue(SEEN.stream().allMatch("3600 s"::equals), SEEN.toString());
    }
}
