package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A join of a child that has not started yet and is the next the hub would run starts it in the
 * joiner (Fiber#startInline): these tests pin down that nothing a user can see changes, the order
 * of events, kills, timeouts, parking children, deep chains and starvation of timers included.
 */
@Timeout(30)
class JoinStartsChildTest {

    @Test
    void theOrderIsTheOneTheHubWouldMake() throws Exception {
        StringBuilder trace = new StringBuilder();
        Hub.run(() -> {
            Fiber<?> a = Fiber.spawn("a", () -> trace.append("a "));
            Fiber<?> b = Fiber.spawn("b", () -> trace.append("b "));
            trace.append("main ");
            b.join(); // a is first in line: b must not overtake it
            trace.append("joined-b ");
            a.join();
            trace.append("done");
        });
        assertEquals("main a b joined-b done", trace.toString());
    }

    @Test
    void aChildThatParksIsResumedByTheHubAndTheJoinerWaitsForIt() throws Exception {
        StringBuilder trace = new StringBuilder();
        int r = Hub.run(() -> {
            Event go = new Event();
            Fiber<Integer> child = Fiber.spawn(() -> {
                trace.append("child-start ");
                go.await();
                trace.append("child-end ");
                return 7;
            });
            Fiber.spawn(() -> {
                trace.append("setter ");
                go.set();
            });
            int v = child.get();
            trace.append("main-got-").append(v);
            return v;
        });
        assertEquals(7, r);
        assertEquals("child-start setter child-end main-got-7", trace.toString());
    }

    @Test
    void aChildThatKillsItsJoinerKillsItThere() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<?>[] parent = new Fiber<?>[1];
            parent[0] = Fiber.spawn("parent", () -> {
                Fiber<?> child = Fiber.spawn("child", () -> {
                    parent[0].kill(); // the joiner is killed while the child runs inside its join
                    trace.add("child-ran");
                });
                try {
                    child.join();
                    trace.add("join returned");
                } catch (FiberKilledError expected) {
                    trace.add("killed in join");
                    throw expected;
                } finally {
                    trace.add("parent finally");
                }
            });
            parent[0].join();
            trace.add("parent " + parent[0].state());
        });
        assertEquals(List.of("child-ran", "killed in join", "parent finally", "parent KILLED"), trace);
    }

    @Test
    void aJoinUnderATimeoutStillTimesOutFirst() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Integer> child = Fiber.spawn(() -> {
                trace.add("child ran");
                return 1;
            });
            assertThrows(FiberTimeoutException.class, () -> child.get(Duration.ZERO));
            trace.add("timed out");
            assertEquals(1, child.get());
        });
        assertEquals(List.of("timed out", "child ran"), trace);
    }

    @Test
    void aLongChainOfJoinsDoesNotOverflowTheStack() throws Exception {
        int depth = 20_000;
        int r = Hub.run(() -> chain(depth));
        assertEquals(depth, r);
    }

    private static int chain(int n) {
        if (n == 0) {
            return 0;
        }
        return Fiber.spawn(() -> chain(n - 1)).get() + 1;
    }

    @Test
    void joiningChildAfterChildLetsTimersRun() throws Exception {
        int[] ticks = new int[1];
        int[] joined = new int[1];
        Hub.run(() -> {
            boolean[] stop = new boolean[1];
            Fiber<?> ticker = Fiber.spawn(() -> {
                while (!stop[0]) {
                    Fiber.sleep(0);
                    ticks[0]++;
                }
            });
            for (int i = 0; i < 20_000; i++) {
                Fiber.spawn(() -> 1).get();
                joined[0]++;
            }
            stop[0] = true;
            ticker.join();
        });
        assertEquals(20_000, joined[0]);
        // the joiner parks once per cooperative budget, so the other fiber gets turns meanwhile
        assertTrue(ticks[0] >= 20_000 / Hub.BUDGET / 2, "the ticker ran only " + ticks[0] + " times");
    }

    @Test
    void aFailedChildIsReportedToItsGetterOnly() throws Exception {
        LogCapture log = LogCapture.of(Hub.class);
        try {
            String msg = Hub.run(() -> {
                Fiber<Integer> child = Fiber.spawn(() -> {
                    throw new IllegalStateException("boom");
                });
                return assertThrows(IllegalStateException.class, child::get).getMessage();
            });
            assertEquals("boom", msg);
        } finally {
            log.close();
        }
        assertEquals("", log.text(), "a failure its getter took must not also be logged");
    }

    @Test
    void aDumpShowsEachRunningFiberItsOwnFrames() throws Exception {
        String here = Hub.run(JoinStartsChildTest::dumpHere);
        assertTrue(frames(here, "'main'").contains("dumpHere"), here);
        assertFalse(here.contains("HubDump"), here);

        String nested = Hub.run(() -> Fiber.spawn("child", JoinStartsChildTest::dumpHere).get());
        String child = frames(nested, "'child'");
        String main = frames(nested, "'main'");
        assertTrue(child.contains("dumpHere"), nested);
        assertFalse(child.contains("Fiber.get"), "the child's frames stop at its own start: " + nested);
        assertTrue(main.contains("Fiber.get"), "main runs the child inside its get: " + nested);
        assertFalse(main.contains("dumpHere"), nested);
        assertFalse(nested.contains("HubDump"), nested);
    }

    private static String dumpHere() {
        return Hub.current().dump();
    }

    /** The "at ..." lines under the fiber whose header line contains {@code name}. */
    private static String frames(String dump, String name) {
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        for (String line : dump.split("\n")) {
            if (line.contains(" #")) {
                in = line.contains(name);
            } else if (in && line.contains(" at ")) {
                sb.append(line.trim()).append('\n');
            }
        }
        return sb.toString();
    }
}
