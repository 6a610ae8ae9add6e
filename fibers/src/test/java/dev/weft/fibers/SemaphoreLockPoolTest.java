package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class SemaphoreLockPoolTest {

    @Test
    void permitsGoToWaitersInFifoOrderAndNewcomersDoNotBarge() throws Exception {
        String trace = Hub.run(() -> {
            Semaphore s = new Semaphore(0);
            StringBuilder sb = new StringBuilder();
            for (String name : new String[] {"a", "b", "c"}) {
                Fiber.spawn(name, () -> {
                    s.acquire();
                    sb.append(name).append(" acquired\n");
                });
            }
            Fiber.yield();
            s.release();
            s.release();
            sb.append("newcomer tryAcquire ").append(s.tryAcquire()).append('\n');
            s.release();
            Fiber.yield();
            return sb.toString();
        });
        assertEquals("""
                newcomer tryAcquire false
                a acquired
                b acquired
                c acquired
                """, trace);
    }

    @Test
    void timeoutsAndKillsNeverLoseOrCreateAPermit() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed);
            int[] result = Hub.run(() -> {
                Semaphore s = new Semaphore(3);
                int[] inside = {0};
                int[] maxInside = {0};
                List<Fiber<?>> all = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    long nanos = rnd.nextInt(300_000);
                    boolean timed = rnd.nextBoolean();
                    all.add(Fiber.spawn(() -> {
                        if (timed ? s.tryAcquire(Duration.ofNanos(nanos)) : acquire(s)) {
                            try {
                                inside[0]++;
                                maxInside[0] = Math.max(maxInside[0], inside[0]);
                                Fiber.sleep(Duration.ofNanos(rnd.nextInt(200_000)));
                            } finally {
                                inside[0]--;
                                s.release();
                            }
                        }
                    }));
                    if (rnd.nextInt(3) == 0) {
                        all.get(rnd.nextInt(all.size())).kill();
                    }
                    if (rnd.nextBoolean()) {
                        Fiber.yield();
                    }
                }
                Fiber.killAll(all, Duration.ofSeconds(10));
                return new int[] {s.available(), maxInside[0], s.waiting()};
            });
            assertEquals(3, result[0], "every permit came back (seed " + seed + ")");
            assertTrue(result[1] <= 3, "never more than 3 inside: " + result[1]);
            assertEquals(0, result[2]);
        }
    }

    private static boolean acquire(Semaphore s) {
        s.acquire();
        return true;
    }

    @Test
    void aBoundedSemaphoreRefusesAnExtraRelease() throws Exception {
        Hub.run(() -> {
            Semaphore s = Semaphore.bounded(1);
            s.acquire();
            s.release();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
            assertTrue(e.getMessage().contains("more releases than acquires"), e.getMessage());
            return null;
        });
    }

    @Test
    void aLockIsReentrantForItsOwnerAndExcludesOthersAcrossBlockingCalls() throws Exception {
        String trace = Hub.run(() -> {
            Lock lock = new Lock();
            StringBuilder sb = new StringBuilder();
            List<Fiber<Void>> fibers = new ArrayList<>();
            for (String name : new String[] {"a", "b"}) {
                fibers.add(Fiber.spawn(name, () -> {
                    try (Lock.Held outer = lock.lock()) {
                        sb.append(name).append(" in\n");
                        try (Lock.Held inner = lock.lock()) {
                            Fiber.sleep(Duration.ofMillis(5)); // blocks while holding it
                        }
                        sb.append(name).append(" out\n");
                    }
                }));
            }
            Fiber.joinAll(fibers, Duration.ofSeconds(5));
            assertFalse(lock.isLocked());
            return sb.toString();
        });
        assertEquals("a in\na out\nb in\nb out\n", trace);
    }

    @Test
    void unlockingALockYouDoNotHoldNamesTheHolder() throws Exception {
        Hub.run(() -> {
            Lock lock = new Lock();
            Fiber<Void> holder = Fiber.spawn("holder", () -> {
                lock.lock();
                Fiber.sleep(Duration.ofSeconds(10));
            });
            Fiber.yield();
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::unlock);
            assertTrue(e.getMessage().contains("holder"), e.getMessage());
            assertNull(lock.tryLock(Duration.ofMillis(20)), "held by another fiber");
            holder.kill();
            return null;
        });
    }

    @Test
    void aPoolRunsAtMostItsSizeAtOnceAndJoinWaitsForAll() throws Exception {
        int[] seen = Hub.run(() -> {
            Pool pool = new Pool(3);
            int[] running = {0};
            int[] max = {0};
            int[] done = {0};
            for (int i = 0; i < 10; i++) {
                pool.spawn(() -> {
                    running[0]++;
                    max[0] = Math.max(max[0], running[0]);
                    Fiber.sleep(Duration.ofMillis(5));
                    running[0]--;
                    done[0]++;
                });
                assertTrue(pool.running() <= 3);
            }
            assertTrue(pool.join(Duration.ofSeconds(5)));
            return new int[] {max[0], done[0], pool.running()};
        });
        assertEquals(3, seen[0]);
        assertEquals(10, seen[1]);
        assertEquals(0, seen[2]);
    }
}
