package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.LogCapture;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 5: a kill is not delivered once and forgotten. A driver that wraps every
 * {@code Throwable} (MySQL Connector/J wraps the {@link FiberKilledError} in an {@code SQLException})
 * turns the kill into an ordinary error; the kill stays pending and every later blocking call of the
 * fiber throws it again, each after a switch through the hub.
 */
@org.junit.jupiter.api.Timeout(30)
class KillRedeliveryTest {

    /** What a driver that wraps every Throwable does with a blocking call (Connector/J's pattern). */
    private static int query(Queue<Integer> rows) throws SQLException {
        try {
            return rows.get();
        } catch (Throwable t) {
            throw new SQLException("Communications link failure", t);
        }
    }

    /** A retry loop with a back-off sleep between attempts, as applications write them. */
    private static VoidTask retryLoop(Queue<Integer> rows, List<String> trace) {
        return () -> {
            try {
                while (true) {
                    try {
                        query(rows);
                    } catch (SQLException e) {
                        trace.add("retry after " + e.getCause().getClass().getSimpleName());
                        Fiber.sleep(Duration.ofMillis(1)); // the kill comes through here
                    }
                }
            } finally {
                trace.add("finally");
            }
        };
    }

    @Test
    void aRetryLoopAroundADriverThatWrapsTheKillDiesOfKillWithDuration() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Queue<Integer> rows = new Queue<>();
            Fiber<Void> worker = Fiber.spawn("worker", retryLoop(rows, trace));
            Fiber.sleep(5);
            assertTrue(worker.kill(Duration.ofSeconds(1)), "the retry loop survived the kill");
            assertEquals(FiberState.KILLED, worker.state());
        });
        assertEquals(List.of("retry after FiberKilledError", "finally"), trace);
    }

    @Test
    void aRetryLoopDiesOfGroupKill() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Queue<Integer> rows = new Queue<>();
            Group group = new Group();
            group.spawn(retryLoop(rows, trace));
            group.spawn(retryLoop(rows, trace));
            Fiber.sleep(5);
            assertTrue(group.kill(Duration.ofSeconds(1)), "a retry loop survived Group.kill");
        });
        assertEquals(List.of("retry after FiberKilledError", "retry after FiberKilledError", "finally", "finally"),
                trace);
    }

    @Test
    void everyLaterBlockingCallThrowsTheKillAgainAfterASwitchThroughTheHub() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Fiber<Void> victim = Fiber.spawn("victim", () -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        Fiber.sleep(60_000);
                    } catch (FiberKilledError e) {
                        sb.append("victim caught ").append(i).append('\n');
                    }
                }
                try {
                    Fiber.yield();
                } finally {
                    sb.append("victim unwinds\n");
                }
            });
            Fiber<Void> other = Fiber.spawn("other", () -> {
                for (int i = 0; i < 5; i++) {
                    sb.append("other ").append(i).append('\n');
                    Fiber.yield();
                }
            });
            Fiber.yield(); // both wait or yield now
            victim.kill();
            victim.join();
            other.join();
            assertEquals(FiberState.KILLED, victim.state());
            return sb.toString();
        });
        // Each re-delivery goes through the hub: "other" runs between the victim's catches.
        assertEquals("""
                other 0
                other 1
                victim caught 0
                other 2
                victim caught 1
                other 3
                victim caught 2
                other 4
                victim unwinds
                """, trace);
    }

    @Test
    void aBlockingCallInAKilledFibersFinallyBlockThrowsTooButCleanUpRuns() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> {
                try {
                    Fiber.sleep(60_000);
                } finally {
                    trace.add("clean-up without blocking");
                    try {
                        Fiber.sleep(1);
                        trace.add("slept in finally");
                    } catch (FiberKilledError again) {
                        trace.add("blocking in finally: killed again");
                    }
                }
            });
            Fiber.yield();
            assertTrue(f.kill(Duration.ofSeconds(1)));
        });
        assertEquals(List.of("clean-up without blocking", "blocking in finally: killed again"), trace);
    }

    @Test
    void aLoopThatCatchesThrowableAndRetriesIsAbandonedAndReported() throws Exception {
        int[] caught = new int[1];
        int[] otherRan = new int[1];
        LogCapture log = LogCapture.of(Hub.class);
        try {
            Hub.run(() -> {
                Queue<Integer> rows = new Queue<>();
                Fiber<Void> stubborn = Fiber.spawn("stubborn", () -> {
                    while (true) {
                        try {
                            rows.get();
                        } catch (Throwable t) {
                            caught[0]++;
                        }
                    }
                });
                Fiber<Void> other = Fiber.spawn("other", () -> {
                    while (true) {
                        otherRan[0]++;
                        Fiber.yield();
                    }
                });
                Fiber.yield();
                assertTrue(stubborn.kill(Duration.ofSeconds(5)), "the catch-all retry loop survived the kill");
                assertEquals(FiberState.KILLED, stubborn.state());
                // nothing is granted to the abandoned getter: a later item goes to a live one
                rows.put(7);
                assertEquals(7, rows.get());
                other.kill();
            });
        } finally {
            log.close();
        }
        assertEquals(Hub.KILL_LIMIT, caught[0]);
        assertTrue(otherRan[0] >= Hub.KILL_LIMIT - 1, "each re-delivery goes through the hub: " + otherRan[0]);
        String text = log.text();
        assertTrue(text.contains("fiber #2 'stubborn' was killed, caught 1000 FiberKilledErrors and kept blocking; it is"
                + " abandoned"), text);
        assertTrue(text.startsWith("SEVERE"), text); // ERROR, as java.util.logging names it
    }

    @Test
    void anExceptionGivenToKillIsThrownOnceAndTheFiberMayGoOn() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<String> f = Fiber.spawn(() -> {
                try {
                    Fiber.sleep(60_000);
                } catch (IllegalStateException signal) {
                    trace.add("signal: " + signal.getMessage());
                }
                Fiber.sleep(1); // not killed: blocks as usual
                return "went on";
            });
            Fiber.yield();
            f.kill(new IllegalStateException("reload"));
            assertEquals("went on", f.get());
        });
        assertEquals(List.of("signal: reload"), trace);
    }

    @Test
    void aSelfKillStaysPendingToo() throws Exception {
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> {
                try {
                    Fiber.current().kill();
                } catch (FiberKilledError first) {
                    // swallowed
                }
                Fiber.sleep(1);
            });
            f.join();
            assertEquals(FiberState.KILLED, f.state());
            assertThrows(java.util.concurrent.CancellationException.class, f::get);
        });
    }
}
