package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 4: a {@link PriorityQueue} whose comparator throws loses nothing and duplicates
 * nothing (the JDK's heap, which it used, moves entries while it compares: the head and the last
 * item were lost and another one duplicated), and a putter or getter whose call threw passes the
 * slot or item it was given to the next waiter.
 */
@org.junit.jupiter.api.Timeout(30)
class PriorityQueueComparatorTest {

    /** A comparator that throws on a comparison when told to (seeded), else compares the numbers. */
    private static final class Flaky implements Comparator<Integer> {
        final Random random;
        int throwOneIn;

        Flaky(long seed) {
            random = new Random(seed);
        }

        @Override
        public int compare(Integer a, Integer b) {
            if (throwOneIn > 0 && random.nextInt(throwOneIn) == 0) {
                throw new IllegalStateException("comparator broke on " + a + " vs " + b);
            }
            return Integer.compare(a, b);
        }
    }

    @Test
    void aComparatorThatThrowsLosesAndDuplicatesNothing() throws Exception {
        long seed = System.nanoTime();
        Hub.run(() -> {
            Flaky order = new Flaky(seed);
            PriorityQueue<Integer> q = new PriorityQueue<>(order);
            Random r = new Random(seed);
            List<Integer> in = new ArrayList<>();
            List<Integer> out = new ArrayList<>();
            int thrown = 0;
            order.throwOneIn = 3;
            for (int i = 0; i < 20_000; i++) {
                try {
                    if (r.nextInt(3) > 0) {
                        int item = i;
                        q.put(item);
                        in.add(item);
                    } else {
                        Integer got = q.poll();
                        if (got != null) {
                            out.add(got);
                        }
                    }
                } catch (IllegalStateException broke) {
                    thrown++;
                }
            }
            order.throwOneIn = 0;
            assertEquals(in.size() - out.size(), q.size(), "size; seed " + seed);
            while (q.size() > 0) {
                out.add(q.get());
            }
            assertTrue(thrown > 1_000, "the comparator threw " + thrown + " times");
            assertEquals(in.stream().sorted().toList(), out.stream().sorted().toList(),
                    "items lost or duplicated; seed " + seed);
            return null;
        });
    }

    @Test
    void withASaneComparatorTheOrderIsStillSmallestFirstAndStable() throws Exception {
        Hub.run(() -> {
            record Job(int priority, String name) {
            }
            PriorityQueue<Job> q = new PriorityQueue<>(Comparator.comparingInt(Job::priority));
            Random r = new Random(7);
            List<Job> all = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                Job j = new Job(r.nextInt(20), "job-" + i);
                all.add(j);
                q.put(j);
            }
            List<Job> out = new ArrayList<>();
            while (q.size() > 0) {
                out.add(q.get());
            }
            List<Job> expected = new ArrayList<>(all);
            expected.sort(Comparator.comparingInt(Job::priority)); // List.sort is stable
            assertEquals(expected, out);
            return null;
        });
    }

    @Test
    void aPutterWhoseAddThrowsPassesItsSlotToTheNextPutter() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Comparator<Integer> refusesNegatives = (a, b) -> {
                if (a < 0 || b < 0) {
                    throw new IllegalArgumentException("no negatives");
                }
                return Integer.compare(a, b);
            };
            PriorityQueue<Integer> q = new PriorityQueue<>(2, refusesNegatives);
            q.put(1);
            q.put(2); // full
            Fiber<Void> bad = Fiber.spawn("bad", () -> {
                try {
                    q.put(-1);
                } catch (IllegalArgumentException e) {
                    sb.append("bad put threw: ").append(e.getMessage()).append('\n');
                }
            });
            Fiber<Void> good = Fiber.spawn("good", () -> {
                q.put(3);
                sb.append("good put 3\n");
            });
            Fiber.yield(); // both wait for room
            sb.append("took ").append(q.get()).append('\n'); // the slot goes to "bad", whose add throws
            assertTrue(good.join(Duration.ofSeconds(5)), "the slot was lost: the next putter still waits");
            bad.join();
            while (q.size() > 0) {
                sb.append("then ").append(q.get()).append('\n');
            }
            return sb.toString();
        });
        assertEquals("""
                took 1
                bad put threw: no negatives
                good put 3
                then 2
                then 3
                """, trace);
    }

    @Test
    void aGetterWhoseTakeThrowsPassesItsItemToTheNextGetter() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            boolean[] broken = {false};
            Comparator<Integer> order = (a, b) -> {
                if (broken[0]) {
                    throw new IllegalStateException("broken now");
                }
                return Integer.compare(a, b);
            };
            PriorityQueue<Integer> q = new PriorityQueue<>(order);
            List<Fiber<Void>> getters = new ArrayList<>();
            for (String name : List.of("g1", "g2", "g3", "g4")) {
                getters.add(Fiber.spawn(name, () -> {
                    try {
                        int got = q.get();
                        sb.append(name).append(" got ").append(got).append('\n');
                    } catch (IllegalStateException e) {
                        sb.append(name).append(" get threw: ").append(e.getMessage()).append('\n');
                        broken[0] = false;
                    }
                }));
            }
            Fiber.yield(); // all four wait
            q.put(30); // for g1
            q.put(10); // for g2
            q.put(20); // for g3; g4 waits on
            broken[0] = true; // g1's take compares (three items): it throws, takes nothing, and passes its item to g4
            assertTrue(Fiber.joinAll(getters, Duration.ofSeconds(5)), "g4 still waits: g1's item was not passed on");
            sb.append("left ").append(q.size()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                g1 get threw: broken now
                g2 got 10
                g3 got 20
                g4 got 30
                left 0
                """, trace);
    }

    @Test
    void aGetOrPollWhoseComparatorThrowsLeavesTheQueueAsItWas() throws Exception {
        Hub.run(() -> {
            boolean[] broken = {false};
            PriorityQueue<Integer> q = new PriorityQueue<>((a, b) -> {
                if (broken[0]) {
                    throw new IllegalStateException("broken now");
                }
                return Integer.compare(a, b);
            });
            q.put(1);
            q.put(2);
            q.put(3);
            broken[0] = true;
            assertThrows(IllegalStateException.class, q::get);
            assertThrows(IllegalStateException.class, q::poll);
            assertEquals(3, q.size());
            broken[0] = false;
            assertEquals(List.of(1, 2, 3), List.of(q.get(), q.get(), q.get()));
            assertFalse(q.size() > 0);
            return null;
        });
    }
}
