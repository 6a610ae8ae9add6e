package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.internal.SpawnSite;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FiberTest {

    @Test
    void fibersRunInSpawnOrderAndYieldRoundRobin() throws Exception {
        StringBuilder trace = new StringBuilder();
        Hub.run(() -> {
            List<Fiber<?>> fibers = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                fibers.add(Fiber.spawn(name, () -> {
                    for (int i = 0; i < 3; i++) {
                        trace.append(name).append(i).append(' ');
                        Fiber.yield();
                    }
                }));
            }
            trace.append("main ");
            Fiber.joinAll(fibers, Duration.ofSeconds(5));
            trace.append("done");
        });
        assertEquals("main a0 b0 c0 a1 b1 c1 a2 b2 c2 done", trace.toString());
    }

    @Test
    void getReturnsTheResult() throws Exception {
        int r = Hub.run(() -> Fiber.spawn(() -> 6 * 7).get());
        assertEquals(42, r);
    }

    @Test
    void getRethrowsTheOriginalRuntimeExceptionWithTheSpawnSite() throws Exception {
        IllegalArgumentException original = new IllegalArgumentException("boom");
        Throwable seen = Hub.run(() -> {
            Fiber<Object> f = Fiber.spawn("worker", () -> {
                throw original;
            });
            return assertThrows(IllegalArgumentException.class, f::get);
        });
        assertSame(original, seen);
        assertTrue(Arrays.stream(seen.getSuppressed()).anyMatch(s -> s instanceof SpawnSite
                && s.getMessage().contains("'worker'") && s.getMessage().contains("'main'")), Arrays.toString(seen.getSuppressed()));
    }

    @Test
    void checkedFailureIsWrappedInCompletionException() throws Exception {
        Throwable seen = Hub.run(() -> {
            Fiber<Object> f = Fiber.spawn(() -> {
                throw new IOException("disk");
            });
            return assertThrows(CompletionException.class, f::get);
        });
        assertInstanceOf(IOException.class, seen.getCause());
    }

    @Test
    void killBeforeStartMeansNeverRun() throws Exception {
        boolean[] ran = new boolean[1];
        FiberState state = Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> { ran[0] = true; });
            f.kill();
            Fiber.sleep(10);
            assertThrows(CancellationException.class, f::get);
            return f.state();
        });
        assertFalse(ran[0]);
        assertEquals(FiberState.KILLED, state);
    }

    @Test
    void killWakesABlockedFiberAtOnceAndRunsItsFinally() throws Exception {
        List<String> trace = new ArrayList<>();
        long[] elapsed = new long[1];
        Hub.run(() -> {
            Fiber<Void> sleeper = Fiber.spawn("sleeper", () -> {
                try {
                    Fiber.sleep(Duration.ofSeconds(30));
                    trace.add("woke normally");
                } finally {
                    trace.add("finally");
                }
            });
            Fiber.yield();
            assertEquals(FiberState.WAITING, sleeper.state());
            long t0 = System.nanoTime();
            assertTrue(sleeper.kill(Duration.ofSeconds(5)));
            elapsed[0] = System.nanoTime() - t0;
            assertEquals(FiberState.KILLED, sleeper.state());
        });
        assertEquals(List.of("finally"), trace);
        assertTrue(elapsed[0] < Duration.ofSeconds(5).toNanos(), "kill took " + elapsed[0] + " ns");
    }

    /** Issue 23, item 5: the kill stays pending, so a blocking call in a finally block throws it again. */
    @Test
    void finallyBlocksOfAKilledFiberRunButTheirBlockingCallsAreKilledToo() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> {
                try {
                    Fiber.sleep(Duration.ofSeconds(30));
                } finally {
                    trace.add("cleaning up");
                    Fiber.sleep(5);
                    trace.add("slept in finally");
                }
            });
            Fiber.yield();
            assertTrue(f.kill(Duration.ofSeconds(5)));
            assertEquals(FiberState.KILLED, f.state());
        });
        assertEquals(List.of("cleaning up"), trace);
    }

    @Test
    void killingTheCurrentFiberThrowsAtOnce() throws Exception {
        Hub.run(() -> {
            Fiber<?> me = Fiber.current();
            assertThrows(FiberKilledError.class, me::kill);
        });
    }

    @Test
    void catchExceptionDoesNotSwallowAKill() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> {
                try {
                    Fiber.sleep(Duration.ofSeconds(30));
                } catch (Exception e) {
                    trace.add("swallowed");
                }
            });
            Fiber.yield();
            f.kill(Duration.ofSeconds(5));
            assertEquals(FiberState.KILLED, f.state());
        });
        assertEquals(List.of(), trace);
    }

    @Test
    void hubRunKillsRemainingFibersAndRunsTheirFinally() throws Exception {
        List<String> trace = new ArrayList<>();
        String r = Hub.run(() -> {
            for (int i = 0; i < 3; i++) {
                int n = i;
                Fiber.spawn(() -> {
                    try {
                        Fiber.sleep(Duration.ofHours(1));
                    } finally {
                        trace.add("unwound " + n);
                    }
                });
            }
            Fiber.yield();
            return "main done";
        });
        assertEquals("main done", r);
        assertEquals(3, trace.size(), trace.toString());
    }

    @Test
    void unobservedFailureGoesToTheUncaughtHandlerExactlyOnce() throws Exception {
        List<String> reported = new ArrayList<>();
        Hub.run(() -> {
            Fiber.current().hub().setUncaughtExceptionHandler((f, t) -> reported.add(f.name() + ": " + t.getMessage()));
            Fiber.spawn("lonely", () -> {
                throw new IllegalStateException("nobody watches");
            });
            Fiber<Object> joined = Fiber.spawn("joined", () -> {
                throw new IllegalStateException("watched");
            });
            assertThrows(IllegalStateException.class, joined::get);
            Fiber.sleep(5);
        });
        assertEquals(List.of("lonely: nobody watches"), reported);
    }

    @Test
    void onExitRunsWhenTheFiberEnds() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<String> f = Fiber.spawn(() -> "x");
            f.onExit(done -> trace.add("exit " + done.state()));
            f.join();
            f.onExit(done -> trace.add("late " + done.state()));
        });
        assertEquals(List.of("exit SUCCEEDED", "late SUCCEEDED"), trace);
    }

    @Test
    void joinWithTimeoutReturnsFalseThenTrue() throws Exception {
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> Fiber.sleep(100));
            long t0 = System.nanoTime();
            assertFalse(f.join(Duration.ofMillis(20)));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= Duration.ofMillis(20).toNanos(), "returned early: " + waited);
            assertTrue(f.join(Duration.ofSeconds(10)));
            assertEquals(FiberState.SUCCEEDED, f.state());
        });
    }

    @Test
    void sleepNeverWakesEarly() throws Exception {
        Hub.run(() -> {
            for (int ms : new int[] {1, 5, 20}) {
                long t0 = System.nanoTime();
                Fiber.sleep(ms);
                long took = System.nanoTime() - t0;
                assertTrue(took >= ms * 1_000_000L, ms + " ms sleep took " + took + " ns");
                assertTrue(took < ms * 1_000_000L + 2_000_000_000L, ms + " ms sleep took " + took + " ns");
            }
        });
    }

    @Test
    void spawnLaterStartsAfterTheDelayAndCanBeKilledBeforeIt() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            long t0 = System.nanoTime();
            Fiber<Long> late = Fiber.spawnLater(Duration.ofMillis(30), () -> System.nanoTime() - t0);
            Fiber<String> never = Fiber.spawnLater(Duration.ofMillis(10), () -> {
                trace.add("ran");
                return "ran";
            });
            never.kill();
            assertTrue(late.get() >= Duration.ofMillis(30).toNanos());
            Fiber.sleep(30);
        });
        assertEquals(List.of(), trace);
    }

    @Test
    void joinSelfIsRefused() throws Exception {
        Hub.run(() -> {
            assertThrows(IllegalStateException.class, () -> Fiber.current().join());
        });
    }

    @Test
    void killAllKillsAndWaits() throws Exception {
        Hub.run(() -> {
            List<Fiber<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fs.add(Fiber.spawn(() -> Fiber.sleep(Duration.ofHours(1))));
            }
            Fiber.yield();
            assertTrue(Fiber.killAll(fs, Duration.ofSeconds(5)));
            for (Fiber<Void> f : fs) {
                assertEquals(FiberState.KILLED, f.state());
            }
            assertEquals(1, Hub.current().fibers().size());
        });
    }

    @Test
    void idsAndNames() throws Exception {
        Hub.run(() -> {
            assertEquals(1, Fiber.current().id());
            assertEquals("main", Fiber.current().name());
            Fiber<Void> f = Fiber.spawn(() -> { });
            assertEquals("fiber-" + f.id(), f.name());
            assertEquals(FiberState.NEW, f.state());
        });
    }
}
