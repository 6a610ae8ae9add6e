package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class GroupTest {

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void membersLeaveWhenTheyEndOrAreDiscardedAndJoinWaitsForTheLast() throws Exception {
        String trace = Hub.run(() -> {
            Group g = new Group();
            StringBuilder sb = new StringBuilder();
            Fiber<Void> a = g.spawn(() -> Fiber.sleep(10));
            Fiber<Void> b = Fiber.spawn(() -> Fiber.sleep(30));
            g.add(b);
            g.add(b);
            Fiber<Void> c = g.spawn(() -> Fiber.sleep(10_000));
            sb.append("size ").append(g.size()).append('\n');
            g.discard(c);
            sb.append("after discard ").append(g.size()).append(", c ").append(c.state()).append('\n');
            assertFalse(g.join(Duration.ofMillis(1)));
            g.join();
            sb.append("joined: a ").append(a.state()).append(", b ").append(b.state()).append(", size ")
                    .append(g.size()).append('\n');
            c.kill();
            return sb.toString();
        });
        assertEquals("""
                size 3
                after discard 2, c NEW
                joined: a SUCCEEDED, b SUCCEEDED, size 0
                """, trace);
    }

    @Test
    void killEndsEveryMemberAndRunsTheirFinallyBlocks() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Group g = new Group();
            for (int i = 0; i < 3; i++) {
                int n = i;
                g.spawn(() -> {
                    try {
                        Fiber.sleep(10_000);
                    } finally {
                        trace.add("finally " + n);
                    }
                });
            }
            Fiber.yield();
            assertTrue(g.kill(Duration.ofSeconds(5)));
            assertEquals(0, g.size());
        });
        assertEquals(List.of("finally 0", "finally 1", "finally 2"), trace);
    }

    @Test
    void aMemberJoiningItsOwnGroupWaitsForTheOthersOnly() throws Exception {
        Hub.run(() -> {
            Group g = new Group();
            List<String> trace = new ArrayList<>();
            g.spawn(() -> {
                Fiber.sleep(5);
                trace.add("sibling done");
            });
            Fiber<Void> f = g.spawn(() -> {
                g.join();
                trace.add("joined");
                g.kill(Duration.ofSeconds(1)); // and kill from inside: not itself
                trace.add("killed the rest");
            });
            f.get();
            assertEquals(List.of("sibling done", "joined", "killed the rest"), trace);
        });
    }

    @Test
    void mapReturnsResultsInTheOrderOfTheItemsAndAPoolBoundsHowManyRunAtOnce() throws Exception {
        int[] max = {0};
        List<Integer> results = Hub.run(() -> {
            Pool pool = new Pool(3);
            int[] running = {0};
            return pool.map(i -> {
                running[0]++;
                max[0] = Math.max(max[0], running[0]);
                Fiber.sleep(Duration.ofMillis(10 - i)); // later items finish first
                running[0]--;
                return i * i;
            }, range(10));
        });
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49, 64, 81), results);
        assertEquals(3, max[0]);
    }

    @Test
    void imapIsLazyAndKeepsAtMostMaxInFlightItemsStartedButNotTaken() throws Exception {
        String trace = Hub.run(() -> {
            Group g = new Group();
            StringBuilder sb = new StringBuilder();
            int[] pulled = {0};
            Iterable<Integer> source = () -> new Iterator<>() {
                int next;

                public boolean hasNext() {
                    return next < 6;
                }

                public Integer next() {
                    pulled[0]++;
                    return next++;
                }
            };
            IMap<Integer> results = g.imap(i -> i + 100, source, 2);
            sb.append("created: pulled ").append(pulled[0]).append('\n');
            for (int r : results) {
                Fiber.sleep(2); // every worker could finish now; the window still holds them back
                sb.append("got ").append(r).append(", pulled ").append(pulled[0]).append(", running ")
                        .append(g.size()).append('\n');
            }
            return sb.toString();
        });
        assertEquals("""
                created: pulled 0
                got 100, pulled 2, running 0
                got 101, pulled 3, running 0
                got 102, pulled 4, running 0
                got 103, pulled 5, running 0
                got 104, pulled 6, running 0
                got 105, pulled 6, running 0
                """, trace);
    }

    @Test
    void imapUnorderedYieldsResultsAsTheyFinish() throws Exception {
        assertEquals(List.of(1, 2, 3, 4), Hub.run(() -> {
            List<Integer> out = new ArrayList<>();
            for (int r : new Group().imapUnordered(ms -> {
                Fiber.sleep(ms * 15L);
                return ms;
            }, List.of(4, 1, 3, 2))) {
                out.add(r);
            }
            return out;
        }));
    }

    @Test
    void theFirstFailureReachesTheConsumerOnceAndTheOtherWorkersAreKilled() throws Exception {
        List<String> uncaught = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + ": " + t));
            Group g = new Group();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.map(i -> {
                try {
                    if (i == 1) {
                        throw new IllegalArgumentException("bad item " + i);
                    }
                    Fiber.sleep(10_000);
                    return i;
                } finally {
                    trace.add("worker " + i + " ended");
                }
            }, range(3)));
            assertEquals("bad item 1", e.getMessage());
            Fiber.yield();
            assertEquals(0, g.size());
            CompletionException checked = assertThrows(CompletionException.class, () -> g.map(i -> {
                throw new IOException("checked " + i);
            }, List.of(7)));
            assertInstanceOf(IOException.class, checked.getCause());
        });
        assertEquals(List.of("worker 1 ended", "worker 0 ended", "worker 2 ended"), trace);
        assertEquals(List.of(), uncaught, "a failure handed to the consumer is not reported again");
    }

    @Test
    void killingTheConsumerKillsTheWorkers() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Pool pool = new Pool(2);
            Fiber<List<Integer>> consumer = Fiber.spawn(() -> pool.map(i -> {
                try {
                    Fiber.sleep(10_000);
                    return i;
                } finally {
                    trace.add("worker " + i + " ended");
                }
            }, range(5)));
            Fiber.sleep(10);
            assertEquals(2, pool.running());
            assertTrue(consumer.kill(Duration.ofSeconds(5)));
            Fiber.yield();
            assertEquals(0, pool.running());
            assertEquals(2, pool.free());
        });
        assertEquals(List.of("worker 0 ended", "worker 1 ended"), trace);
    }

    @Test
    void aConsumerThatStopsEarlyClosesTheIteratorAndEndsTheWorkers() throws Exception {
        Hub.run(() -> {
            Group g = new Group();
            try (IMap<Integer> it = g.imapUnordered(i -> {
                Fiber.sleep(i == 0 ? 1 : 10_000);
                return i;
            }, range(4))) {
                assertEquals(0, it.next());
                assertEquals(3, g.size());
            }
            Fiber.yield();
            assertEquals(0, g.size());
        });
    }

    @Test
    void aTimeoutInTheConsumerKillsNothingAndTheIterationGoesOn() throws Exception {
        assertEquals(List.of(0, 1), Hub.run(() -> {
            IMap<Integer> it = new Group().imap(i -> {
                Fiber.sleep(30);
                return i;
            }, range(2));
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                it.hasNext();
            } catch (FiberTimeoutException expected) {
                // the workers go on
            }
            List<Integer> out = new ArrayList<>();
            it.forEachRemaining(out::add);
            return out;
        }));
    }

    @Test
    void applyRunsTheTaskInTheGroupOrDirectlyInAMember() throws Exception {
        Hub.run(() -> {
            Pool pool = new Pool(1);
            assertEquals("in " + "a worker", pool.apply(() -> "in " + (pool.contains(Fiber.current()) ? "a worker" : "?")));
            Fiber<String> member = pool.spawn(() -> pool.apply(() -> "directly, pool size " + pool.running()));
            assertEquals("directly, pool size 1", member.get());
            CompletionException e = assertThrows(CompletionException.class, () -> pool.apply(() -> {
                throw new IOException("boom");
            }));
            assertInstanceOf(IOException.class, e.getCause());
        });
    }
}
