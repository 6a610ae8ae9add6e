package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, items 1, 2 and 10: {@code imap}/{@code imapUnordered} under timeouts and kills. A
 * {@link Timeout} around {@code hasNext()} loses no item (also while a {@link Pool} slot is awaited);
 * killed workers never leave the consumer waiting (gevent yields their {@code GreenletExit} and goes
 * on: here {@code next()} throws {@link CancellationException} for that item and the iteration goes
 * on); an iteration left by {@code break} is not retained by its consumer.
 */
@org.junit.jupiter.api.Timeout(30)
class IMapKillsAndTimeoutsTest {

    private static List<Integer> oneTo(int n) {
        return IntStream.rangeClosed(1, n).boxed().toList();
    }

    /** Every result, retrying {@code hasNext()}/{@code next()} after a 30 ms Timeout (the reproducer). */
    private static List<Integer> consumeRetryingTimeouts(IMap<Integer> it, int[] timeouts) {
        List<Integer> results = new ArrayList<>();
        while (true) {
            try (Timeout t = Timeout.after(Duration.ofMillis(30))) {
                if (!it.hasNext()) {
                    return results;
                }
                results.add(it.next());
            } catch (FiberTimeoutException e) {
                timeouts[0]++; // retry
            }
        }
    }

    private static int slow(int x) {
        Fiber.sleep(Duration.ofMillis(50));
        return x;
    }

    @Test
    void aTimeoutWhileImapWaitsForAPoolSlotLosesNoItemAndKeepsTheOrder() throws Exception {
        int[] timeouts = {0};
        List<Integer> results = Hub.run(() -> {
            Pool pool = new Pool(1);
            return consumeRetryingTimeouts(pool.imap(IMapKillsAndTimeoutsTest::slow, oneTo(6), 3), timeouts);
        });
        assertEquals(oneTo(6), results);
        assertTrue(timeouts[0] > 5, "the timeouts fired while it waited: " + timeouts[0]);
    }

    @Test
    void aTimeoutWhileImapUnorderedWaitsForAPoolSlotLosesAndDuplicatesNothing() throws Exception {
        int[] timeouts = {0};
        List<Integer> results = Hub.run(() -> {
            Pool pool = new Pool(2);
            return consumeRetryingTimeouts(pool.imapUnordered(IMapKillsAndTimeoutsTest::slow, oneTo(9), 5), timeouts);
        });
        assertEquals(oneTo(9), results.stream().sorted().toList());
        assertTrue(timeouts[0] > 0, "the timeouts fired while it waited: " + timeouts[0]);
    }

    /**
     * Consumes every result; a killed item is recorded as "killed N" where N counts the cancellations
     * (the item a cancellation belongs to is in its message). Nothing may hang.
     */
    private static List<String> consumeThroughKills(IMap<Integer> it) {
        List<String> seen = new ArrayList<>();
        while (it.hasNext()) {
            try {
                seen.add(String.valueOf(it.next()));
            } catch (CancellationException killed) {
                assertTrue(killed.getMessage().contains("was killed"), killed.getMessage());
                seen.add("killed");
            }
        }
        return seen;
    }

    private static void sleepThenKill(Duration after, Runnable kill) {
        Fiber.spawn("killer", () -> {
            Fiber.sleep(after);
            kill.run();
        });
    }

    @Test
    void poolKillWhileImapRunsYieldsTheKilledItemsAndGoesOnAsGeventDoes() throws Exception {
        // gevent 22.10: Pool(2).imap(slow 50 ms, range(6)), pool.kill() at 60 ms:
        // [0, 1, GreenletExit(), GreenletExit(), 4, 5]
        List<String> seen = Hub.run(() -> {
            Pool pool = new Pool(2);
            IMap<Integer> it = pool.imap(IMapKillsAndTimeoutsTest::slow, List.of(0, 1, 2, 3, 4, 5));
            sleepThenKill(Duration.ofMillis(75), pool::kill);
            return consumeThroughKills(it);
        });
        assertEquals(List.of("0", "1", "killed", "killed", "4", "5"), seen);
    }

    @Test
    void groupKillWhileImapUnorderedRunsNeverLeavesTheConsumerWaiting() throws Exception {
        List<String> seen = Hub.run(() -> {
            Group group = new Group();
            IMap<Integer> it = group.imapUnordered(x -> {
                Fiber.sleep(Duration.ofSeconds(x == 0 ? 0 : 60));
                return x;
            }, List.of(0, 1, 2, 3));
            sleepThenKill(Duration.ofMillis(20), group::kill);
            return consumeThroughKills(it);
        });
        assertEquals(List.of("0", "killed", "killed", "killed"), seen);
    }

    @Test
    void aKillOfOneWorkerYieldsThatItemInItsTurnAndTheOthersGoOn() throws Exception {
        // gevent 22.10: Pool(3).imap_unordered, the first worker killed: [GreenletExit(), 1, 2, 3, 4, 5]
        List<String> seen = Hub.run(() -> {
            Pool pool = new Pool(3);
            IMap<Integer> it = pool.imap(IMapKillsAndTimeoutsTest::slow, List.of(0, 1, 2, 3, 4, 5));
            sleepThenKill(Duration.ofMillis(10), () -> pool.fibers().get(1).kill());
            return consumeThroughKills(it);
        });
        assertEquals(List.of("0", "killed", "2", "3", "4", "5"), seen);
    }

    @Test
    void aWorkerKilledBeforeItStartedIsReportedToo() throws Exception {
        List<String> seen = Hub.run(() -> {
            Group group = new Group();
            IMap<Integer> it = group.imap(x -> x * 10, List.of(1, 2, 3));
            // queued ahead of the workers the first hasNext spawns: it runs before any of them starts
            Fiber.spawn("killer", () -> {
                Fiber<?> second = group.fibers().get(1);
                assertEquals(FiberState.NEW, second.state());
                second.kill(); // it never runs
            });
            return consumeThroughKills(it);
        });
        assertEquals(List.of("10", "killed", "30"), seen);
    }

    @Test
    void killAllOfThePoolsFibersAsAServerStopDoesYieldsEveryKilledItem() throws Exception {
        List<String> seen = Hub.run(() -> {
            Pool pool = new Pool(4);
            IMap<Integer> it = pool.imapUnordered(x -> {
                Fiber.sleep(Duration.ofSeconds(60));
                return x;
            }, List.of(1, 2, 3, 4));
            sleepThenKill(Duration.ofMillis(10), () -> Fiber.killAll(pool.fibers(), Duration.ZERO));
            return consumeThroughKills(it);
        });
        assertEquals(List.of("killed", "killed", "killed", "killed"), seen);
    }

    @Test
    void mapThrowsTheCancellationOfAKilledWorkerInsteadOfHanging() throws Exception {
        Hub.run(() -> {
            Pool pool = new Pool(2);
            sleepThenKill(Duration.ofMillis(10), pool::kill);
            CancellationException e = assertThrows(CancellationException.class,
                    () -> pool.map(x -> { Fiber.sleep(Duration.ofSeconds(60)); return x; }, oneTo(4)));
            assertTrue(e.getMessage().contains("was killed"), e.getMessage());
            assertTrue(pool.join(Duration.ofSeconds(5)), "map's own clean-up killed the rest");
        });
    }

    @Test
    void aWorkerKilledWithAnExceptionFailsTheIterationAsAFailureDoes() throws Exception {
        Hub.run(() -> {
            Pool pool = new Pool(2);
            IMap<Integer> it = pool.imap(x -> { Fiber.sleep(Duration.ofSeconds(60)); return x; }, oneTo(3));
            sleepThenKill(Duration.ofMillis(10), () -> pool.fibers().get(0).kill(new IllegalStateException("stop that one")));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                while (it.hasNext()) {
                    it.next();
                }
            });
            assertEquals("stop that one", e.getMessage());
            assertFalse(it.hasNext(), "a failure ends the iteration");
            assertTrue(pool.join(Duration.ofSeconds(5)));
        });
    }

    /** gevent's TestErrorInIterator: an exception from the source reaches the consumer. */
    @Test
    void anExceptionFromTheSourceReachesTheConsumerAndEndsTheWorkers() throws Exception {
        Hub.run(() -> {
            Pool pool = new Pool(3);
            Iterable<Integer> failing = () -> new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Integer next() {
                    if (++n > 2) {
                        throw new IllegalArgumentException("source broke");
                    }
                    return n;
                }
            };
            assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, failing));
            assertThrows(IllegalArgumentException.class, () -> {
                for (Integer x : pool.imapUnordered(y -> y, failing)) {
                    assertTrue(x > 0);
                }
            });
            assertTrue(pool.join(Duration.ofSeconds(5)));
        });
    }

    @Test
    void anImapLeftByBreakIsNotRetainedByItsConsumer() throws Exception {
        Hub.run(() -> {
            Group group = new Group();
            List<WeakReference<IMap<Integer>>> left = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                IMap<Integer> it = group.imap(x -> {
                    Fiber.sleep(1);
                    return x;
                }, oneTo(3));
                left.add(new WeakReference<>(it));
                for (int x : it) {
                    if (x == 1) {
                        break; // no close(): the other workers run on
                    }
                }
            }
            assertTrue(group.join(Duration.ofSeconds(10)));
            for (int round = 0; round < 20 && left.stream().anyMatch(r -> r.get() != null); round++) {
                System.gc();
                Fiber.sleep(5);
            }
            assertEquals(0, left.stream().filter(r -> r.get() != null).count(),
                    "iterations left by break are still reachable (from their consumer)");
        });
    }

    @Test
    void theConsumersEndStillKillsTheWorkersOfAnIterationLeftByBreak() throws Exception {
        Hub.run(() -> {
            Group group = new Group();
            List<Fiber<?>> workers = new ArrayList<>();
            Fiber<Void> consumer = Fiber.spawn("consumer", () -> {
                IMap<Integer> it = group.imap(x -> {
                    Fiber.sleep(Duration.ofSeconds(x == 1 ? 0 : 60));
                    return x;
                }, oneTo(3));
                for (int x : it) {
                    break;
                }
                workers.addAll(group.fibers());
            });
            consumer.join();
            assertEquals(2, workers.size());
            assertTrue(group.join(Duration.ofSeconds(5)), "the consumer's end killed the workers it left");
            for (Fiber<?> w : workers) {
                assertEquals(FiberState.KILLED, w.state());
            }
        });
    }

    @Test
    void aKilledConsumerInAPoolSlotWaitKeepsNothingPending() throws Exception {
        Hub.run(() -> {
            Pool pool = new Pool(1);
            Fiber<Void> blocker = pool.spawn(() -> Fiber.sleep(Duration.ofSeconds(60)));
            List<Integer> mapped = new ArrayList<>();
            Fiber<Void> consumer = Fiber.spawn(() -> {
                for (int x : pool.imap(y -> {
                    mapped.add(y);
                    return y;
                }, oneTo(3))) {
                    mapped.add(-x);
                }
            });
            Fiber.sleep(5);
            assertTrue(consumer.kill(Duration.ofSeconds(5)), "the consumer waited for a slot and died of its kill");
            blocker.kill();
            assertTrue(pool.join(Duration.ofSeconds(5)));
            assertEquals(List.of(), mapped, "no item was started for a killed consumer");
        });
    }
}
