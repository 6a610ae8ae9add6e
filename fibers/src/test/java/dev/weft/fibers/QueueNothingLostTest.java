package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Producers and consumers with random timeouts, random Timeout blocks and random kills (peekers too),
 * over every member of the queue family, the rendezvous Channel included: every item whose put returned
 * normally is got exactly once, and nothing else is got.
 */
@org.junit.jupiter.api.Timeout(60)
class QueueNothingLostTest {

    /** The calls the chaos needs, over a queue or a channel. */
    private interface Ops {
        void put(int item);

        boolean offer(int item, Duration d);

        Integer get();

        Integer poll(Duration d);

        Integer pollNow();

        void peek(Duration d);
    }

    private static Ops ops(String kind) {
        if (kind.equals("channel")) {
            Channel<Integer> ch = new Channel<>();
            return new Ops() {
                public void put(int item) { ch.put(item); }
                public boolean offer(int item, Duration d) { return ch.offer(item, d); }
                public Integer get() { return ch.get(); }
                public Integer poll(Duration d) { return ch.poll(d); }
                public Integer pollNow() { return ch.poll(); }
                public void peek(Duration d) { Fiber.yield(); } // a channel has no peek
            };
        }
        Queue<Integer> q = switch (kind) {
            case "queue 1" -> new Queue<>(1);
            case "queue 3" -> new Queue<>(3);
            case "queue 4" -> new Queue<>(4);
            case "queue unbounded" -> new Queue<>();
            case "lifo" -> new LifoQueue<>(3);
            case "priority" -> new PriorityQueue<>(2, Comparator.<Integer>reverseOrder());
            case "joinable" -> new JoinableQueue<>(1);
            default -> throw new IllegalArgumentException(kind);
        };
        return new Ops() {
            public void put(int item) { q.put(item); }
            public boolean offer(int item, Duration d) { return q.offer(item, d); }
            public Integer get() { return q.get(); }
            public Integer poll(Duration d) { return q.poll(d); }
            public Integer pollNow() { return q.poll(); }
            public void peek(Duration d) { q.peek(d); }
        };
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"queue 1, 1", "queue 4, 2", "queue unbounded, 3", "queue 3, 4", "queue 1, 5",
        "channel, 1", "channel, 2", "channel, 3", "lifo, 4", "priority, 5", "joinable, 6"})
    void everyAcceptedItemIsGotExactlyOnce(String kind, long seed) throws Exception {
        Random rnd = new Random(seed);
        Set<Integer> accepted = new HashSet<>();
        List<Integer> received = new ArrayList<>();
        int[] outcomes = new int[6]; // put ok, put timed out, put killed, get ok, get empty/timed out, get killed
        Hub.run(() -> {
            Ops q = ops(kind);
            List<Fiber<?>> workers = new ArrayList<>();
            int next = 0;
            for (int round = 0; round < 300; round++) {
                // phases of 25 rounds that favour producers, then consumers, so both sides have to wait
                boolean draining = (round / 25) % 2 == 1;
                int producers = rnd.nextInt(draining ? 3 : 6);
                int consumers = rnd.nextInt(draining ? 6 : 3);
                for (int i = 0; i < producers; i++) {
                    int item = next++;
                    long nanos = rnd.nextInt(200_000);
                    int mode = rnd.nextInt(3);
                    workers.add(Fiber.spawn(() -> {
                        try {
                            boolean ok = switch (mode) {
                                case 0 -> q.offer(item, Duration.ofNanos(nanos));
                                case 1 -> {
                                    try (Timeout t = Timeout.after(Duration.ofNanos(nanos))) {
                                        q.put(item);
                                    }
                                    yield true;
                                }
                                default -> {
                                    q.put(item);
                                    yield true;
                                }
                            };
                            if (ok) {
                                accepted.add(item);
                                outcomes[0]++;
                            } else {
                                outcomes[1]++;
                            }
                        } catch (FiberTimeoutException e) {
                            outcomes[1]++;
                        } catch (FiberKilledError e) {
                            outcomes[2]++;
                            throw e;
                        }
                    }));
                }
                for (int i = 0; i < consumers; i++) {
                    long nanos = rnd.nextInt(200_000);
                    int mode = rnd.nextInt(4);
                    workers.add(Fiber.spawn(() -> {
                        try {
                            Integer got = switch (mode) {
                                case 0 -> q.poll(Duration.ofNanos(nanos));
                                case 1 -> {
                                    try (Timeout t = Timeout.after(Duration.ofNanos(nanos))) {
                                        yield q.get();
                                    }
                                }
                                case 2 -> {
                                    q.peek(Duration.ofNanos(nanos)); // takes nothing, then gets
                                    yield q.get();
                                }
                                default -> q.get();
                            };
                            if (got != null) {
                                received.add(got);
                                outcomes[3]++;
                            } else {
                                outcomes[4]++;
                            }
                        } catch (FiberTimeoutException e) {
                            outcomes[4]++;
                        } catch (FiberKilledError e) {
                            outcomes[5]++;
                            throw e;
                        }
                    }));
                }
                // chaos: kill a few random workers, at random moments
                for (int k = 0; k < 2; k++) {
                    workers.get(rnd.nextInt(workers.size())).kill();
                }
                if (rnd.nextBoolean()) {
                    Fiber.yield();
                } else {
                    Fiber.sleep(Duration.ofNanos(rnd.nextInt(100_000)));
                }
            }
            // stop everyone still blocked, then take what is left
            Fiber.killAll(workers, Duration.ofSeconds(10));
            Integer rest;
            while ((rest = q.pollNow()) != null) {
                received.add(rest);
            }
            return null;
        });
        Set<Integer> unique = new HashSet<>(received);
        assertEquals(received.size(), unique.size(), "an item was got twice");
        Set<Integer> lost = new HashSet<>(accepted);
        lost.removeAll(unique);
        Set<Integer> invented = new HashSet<>(unique);
        invented.removeAll(accepted);
        assertEquals("lost [], invented []", "lost " + lost + ", invented " + invented);
        assertTrue(outcomes[0] > 50 && outcomes[3] > 50, "both sides mostly worked: " + Arrays.toString(outcomes));
        // an unbounded queue never makes a putter wait, so only a bounded one exercises the put side
        boolean putSideRaced = kind.equals("queue unbounded") || outcomes[1] + outcomes[2] > 0;
        assertTrue(putSideRaced && outcomes[4] + outcomes[5] > 0, "the races were exercised: " + Arrays.toString(outcomes));
    }
}
