package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Producers and consumers with random timeouts, random Timeout blocks and random kills: every item
 * whose put returned normally is got exactly once, and nothing else is got.
 */
class QueueNothingLostTest {

    @ParameterizedTest(name = "seed {0}, capacity {1}")
    @CsvSource({"1, 1", "2, 4", "3, 2147483647", "4, 3", "5, 1"})
    void everyAcceptedItemIsGotExactlyOnce(long seed, int capacity) throws Exception {
        Random rnd = new Random(seed);
        Set<Integer> accepted = new HashSet<>();
        List<Integer> received = new ArrayList<>();
        int[] outcomes = new int[6]; // put ok, put timed out/failed, put killed, get ok, get empty/timed out, get killed
        Hub.run(() -> {
            Queue<Integer> q = capacity == Integer.MAX_VALUE ? new Queue<>() : new Queue<>(capacity);
            List<Fiber<?>> workers = new ArrayList<>();
            int[] next = {0};
            for (int round = 0; round < 300; round++) {
                // phases of 25 rounds that favour producers, then consumers, so both sides have to wait
                boolean draining = (round / 25) % 2 == 1;
                int producers = rnd.nextInt(draining ? 3 : 6);
                int consumers = rnd.nextInt(draining ? 6 : 3);
                for (int i = 0; i < producers; i++) {
                    int item = next[0]++;
                    long nanos = rnd.nextInt(200_000);
                    int mode = rnd.nextInt(3);
                    workers.add(Fiber.spawn(() -> {
                        try {
                            boolean ok;
                            switch (mode) {
                                case 0 -> ok = q.offer(item, Duration.ofNanos(nanos));
                                case 1 -> {
                                    try (Timeout t = Timeout.after(Duration.ofNanos(nanos))) {
                                        q.put(item);
                                    }
                                    ok = true;
                                }
                                default -> {
                                    q.put(item);
                                    ok = true;
                                }
                            }
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
                    int mode = rnd.nextInt(3);
                    workers.add(Fiber.spawn(() -> {
                        try {
                            Integer got = switch (mode) {
                                case 0 -> q.poll(Duration.ofNanos(nanos));
                                case 1 -> {
                                    try (Timeout t = Timeout.after(Duration.ofNanos(nanos))) {
                                        yield q.get();
                                    }
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
            while ((rest = q.poll()) != null) {
                received.add(rest);
            }
            return null;
        });
        Set<Integer> unique = new HashSet<>(received);
        assertEquals(received.size(), unique.size(), "an item was got twice");
        assertEquals(accepted, unique, "got items differ from accepted ones");
        assertTrue(outcomes[0] > 50 && outcomes[3] > 50, "both sides mostly worked: " + java.util.Arrays.toString(outcomes));
        // an unbounded queue never makes a putter wait, so only a bounded one exercises the put side
        boolean putSideRaced = capacity == Integer.MAX_VALUE || outcomes[1] + outcomes[2] > 0;
        assertTrue(putSideRaced && outcomes[4] + outcomes[5] > 0,
                "the races were exercised: " + java.util.Arrays.toString(outcomes));
    }
}
