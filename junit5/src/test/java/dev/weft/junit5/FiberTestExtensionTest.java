package dev.weft.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;

/**
 * {@link FiberTest} from the outside: sample test classes (nested here, so that Surefire does not run
 * them itself) run through JUnit's own engine, and what JUnit reports about them is checked.
 */
@org.junit.jupiter.api.Timeout(120)
class FiberTestExtensionTest {
    /** What the samples saw; each test clears it. */
    static final List<String> TRACE = new CopyOnWriteArrayList<>();

    private static List<String> available() {
        return Backends.available().stream().filter(b -> b.priority() >= 0).map(HubBackend::name).toList(); // not sim
    }

    private static EngineExecutionResults run(Class<?> sample) {
        TRACE.clear();
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    /** {@code body} with {@code -Dweft.test.backends=nio}: for the samples that take seconds. */
    private static <T> T onNio(java.util.function.Supplier<T> body) {
        String old = System.setProperty("weft.test.backends", "nio");
        try {
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty("weft.test.backends");
            } else {
                System.setProperty("weft.test.backends", old);
            }
        }
    }

    private static Throwable failure(Event e) {
        return e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    }

    private static String notes(Throwable t) {
        return Arrays.stream(t.getSuppressed()).map(Throwable::getMessage).collect(Collectors.joining("\n"));
    }

    static class OnEveryBackend {
        private Fiber<?> spawnedBefore;

        @BeforeEach
        void spawn(Hub hub) {
            TRACE.add("before " + hub.backendName() + " in fiber " + Fiber.inFiber() + " same hub " + (Hub.current() == hub));
            spawnedBefore = Fiber.spawn("from-before-each", () -> Fiber.sleep(Duration.ofMinutes(1)));
        }

        @FiberTest
        void runs(Hub hub) throws Exception {
            dev.weft.fibers.Event event = new dev.weft.fibers.Event(); // a primitive that needs a hub: made and awaited like in any fiber
            Fiber.spawn(() -> {
                Fiber.sleep(Duration.ofMillis(5));
                event.set();
            });
            event.await();
            TRACE.add("test " + hub.backendName() + " on '" + Thread.currentThread().getName() + "' same hub "
                    + (Hub.current() == hub) + ", the fiber of @BeforeEach alive " + !spawnedBefore.isDone());
        }

        @AfterEach
        void after(Hub hub) {
            TRACE.add("after " + hub.backendName() + " same hub " + (Hub.current() == hub));
        }
    }

    @Test
    void aTestRunsAsAFiberOnAHubOfEachAvailableBackendWithItsBeforeAndAfterEachOnTheSameHub() {
        EngineExecutionResults r = run(OnEveryBackend.class);
        List<String> backends = available();
        r.testEvents().assertStatistics(s -> s.started(backends.size()).succeeded(backends.size()));
        assertEquals(backends.stream().map(b -> "[" + b + "]").toList(),
                r.testEvents().succeeded().map(e -> e.getTestDescriptor().getDisplayName()).toList());
        List<String> expected = new java.util.ArrayList<>();
        for (String b : backends) {
            expected.add("before " + b + " in fiber true same hub true");
            expected.add("test " + b + " on 'weft-test[" + b + "] OnEveryBackend.runs' same hub true, the fiber of"
                    + " @BeforeEach alive true");
            expected.add("after " + b + " same hub true");
        }
        assertEquals(expected, TRACE);
    }

    static class Fails {
        @FiberTest
        void fails() {
            assertEquals(1, 2, "one is not two");
        }
    }

    @Test
    void aFailureNamesTheBackendAndTheHubThread() {
        EngineExecutionResults r = run(Fails.class);
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(available().size(), failed.size());
        for (int i = 0; i < failed.size(); i++) {
            String b = available().get(i);
            Throwable t = failure(failed.get(i));
            assertInstanceOf(AssertionFailedError.class, t, "the test's own failure, as it is");
            assertTrue(t.getMessage().startsWith("one is not two"), t.getMessage());
            assertEquals("the test ran as a fiber on the " + b + " backend, hub thread 'weft-test[" + b + "] Fails.fails'",
                    notes(t));
        }
    }

    static class BlocksItsHub {
        @FiberTest
        void sleepsOnTheThread() throws InterruptedException {
            Thread.sleep(700); // -Dweft.watchdog.ms=300 in this module's tests: more than twice the threshold
        }
    }

    @Test
    void aTestThatBlocksItsHubFailsWithTheWatchdogsReport() {
        EngineExecutionResults r = onNio(() -> run(BlocksItsHub.class)); // the watchdog is the same on every backend
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(1, failed.size());
        for (Event e : failed) {
            Throwable t = failure(e);
            assertInstanceOf(AssertionFailedError.class, t);
            assertTrue(t.getMessage().startsWith("the hub watchdog reported the hub of this test blocked"), t.getMessage());
            assertTrue(t.getMessage().contains("blocking call: java.base/java.lang.Thread.sleep"), t.getMessage());
            assertTrue(t.getMessage().contains("use Fiber.sleep"), t.getMessage());
        }
    }

    static class TimesOut {
        @FiberTest(timeout = 300, unit = TimeUnit.MILLISECONDS)
        void waitsTooLong() {
            Fiber.spawn("helper", () -> Fiber.sleep(Duration.ofMinutes(1)));
            try {
                Fiber.sleep(Duration.ofMinutes(1));
            } finally {
                TRACE.add("finally ran in " + Hub.current().backendName());
            }
        }
    }

    @Test
    void aTestThatTakesTooLongIsKilledAndFailsWithTheHubsDump() {
        EngineExecutionResults r = run(TimesOut.class);
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(available().size(), failed.size());
        for (int i = 0; i < failed.size(); i++) {
            String b = available().get(i);
            Throwable t = failure(failed.get(i));
            assertInstanceOf(TimeoutException.class, t);
            String m = t.getMessage();
            assertTrue(m.startsWith("TimesOut.waitsTooLong() on the " + b + " backend did not end within 300 ms; it was"
                    + " killed and unwound. The hub 'weft-test[" + b + "] TimesOut.waitsTooLong' then:\n"), m);
            assertTrue(m.contains("'helper'") && m.contains("'main'") && m.contains("sleep"), "the dump: " + m);
        }
        assertEquals(available().stream().map(b -> "finally ran in " + b).toList(), TRACE);
    }

    static class BlocksItsHubTooLong {
        @FiberTest(timeout = 300, unit = TimeUnit.MILLISECONDS)
        void sleepsOnTheThread() throws InterruptedException {
            Thread.sleep(4_000); // longer than the timeout and the grace for a dump and a kill (1 s each) together
        }
    }

    @Test
    void aTimeoutWhileACallBlocksTheHubShowsTheHubThreadsStack() {
        EngineExecutionResults r = onNio(() -> run(BlocksItsHubTooLong.class)); // it takes seconds
        Throwable t = failure(r.testEvents().failed().list().get(0));
        assertInstanceOf(TimeoutException.class, t);
        String m = t.getMessage();
        assertTrue(m.startsWith("BlocksItsHubTooLong.sleepsOnTheThread() on the nio backend did not end within 300 ms;"
                + " it was killed but did not end within 1 s (the hub is stuck). The hub"), m);
        assertTrue(m.contains("the hub thread does not answer (a call blocks it); it is TIMED_WAITING at:")
                && m.contains("at java.base/java.lang.Thread.sleep"), m);
        java.io.StringWriter all = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(all));
        assertTrue(all.toString().contains("the hub watchdog reported the hub of this test blocked"), all.toString());
        assertTrue(all.toString().contains("is stuck: a killed fiber did not end within 1 s; it is left behind"), all.toString());
    }

    static class LosesAFailure {
        @FiberTest
        void spawnsAndForgets() {
            Fiber.spawn("forgotten", () -> {
                throw new IllegalStateException("nobody will join me");
            });
            Fiber.sleep(Duration.ofMillis(10));
        }
    }

    @Test
    void aFiberFailureNobodyJoinedFailsTheTest() {
        EngineExecutionResults r = run(LosesAFailure.class);
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(available().size(), failed.size());
        for (Event e : failed) {
            Throwable t = failure(e);
            assertTrue(t.getMessage().startsWith("1 fiber failure(s) nobody joined or got"), t.getMessage());
            assertEquals("nobody will join me", t.getCause().getMessage());
        }
    }

    static class RunsTwiceAtOnce {
        static final java.util.concurrent.atomic.AtomicInteger ARRIVED = new java.util.concurrent.atomic.AtomicInteger();

        @FiberTest(timeout = 30)
        void meetsItsTwin() {
            TRACE.add(Thread.currentThread().getName());
            ARRIVED.incrementAndGet();
            while (ARRIVED.get() < 2) { // both runs are inside the test at once; the timeout bounds the wait
                Fiber.sleep(Duration.ofMillis(1));
            }
        }
    }

    @Test
    void theSameTestRunningTwiceAtOnceGetsTwoHubThreadsOfDistinctNames() throws Exception {
        TRACE.clear();
        RunsTwiceAtOnce.ARRIVED.set(0);
        List<EngineExecutionResults> results = onNio(() -> {
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var runs = List.of(pool.submit(() -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(RunsTwiceAtOnce.class)).execute()),
                        pool.submit(() -> EngineTestKit.engine("junit-jupiter")
                                .selectors(selectClass(RunsTwiceAtOnce.class)).execute()));
                return runs.stream().map(f -> {
                    try {
                        return f.get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
            }
        });
        for (EngineExecutionResults r : results) {
            r.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        }
        String name = "weft-test[nio] RunsTwiceAtOnce.meetsItsTwin";
        assertEquals(List.of(name, name + " #2"), TRACE.stream().sorted().toList(),
                "each hub thread has a name of its own, so the watchdog's reports go to the run they are about");
    }
}
