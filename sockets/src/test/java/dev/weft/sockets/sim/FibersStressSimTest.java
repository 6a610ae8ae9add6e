package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberFunction;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Group;
import dev.weft.fibers.Hub;
import dev.weft.fibers.IMap;
import dev.weft.fibers.Lock;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Queue;
import dev.weft.fibers.Semaphore;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.VoidTask;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The fibers stress scenario ({@code FibersStressTest}'s fiber part; its platform threads cannot run
 * under simulation) in virtual time, under seeded schedules: workers do random queue puts and timed
 * polls, semaphore and re-entrant lock sections, event set/clear/await, child fibers, and imap /
 * imapUnordered runs over a Pool and a Group, each under random short Timeouts, while a killer fiber
 * kills a random worker or imap worker every virtual millisecond. Invariants at the end: every item
 * put is got exactly once, no permit or lock is held, every worker's finally ran exactly once, every
 * imap run saw each item at most once (in order for imap), and all of them completed that were not
 * ended by a failure. Each seed runs 100 ms of virtual time.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class FibersStressSimTest {
    private static final int WORKERS = 30;
    private static final int PERMITS = 3;

    private static final class Books {
        final BitSet put = new BitSet();
        final BitSet got = new BitSet();
        int nextItem;
        int started;
        int finallies;
        int permitsHeld;
        int insideLock;
        long imapRuns;
    }

    @SimulationTest(seeds = 200, checkDeterminism = true)
    void primitivesSurviveRandomOperationsKillsAndTimeoutsInVirtualTime(Simulation sim) {
        Random rnd = new Random(sim.settings().seed());
        Books b = new Books();
        Queue<Integer> queue = new Queue<>(8);
        Semaphore semaphore = Semaphore.bounded(PERMITS);
        Lock lock = new Lock();
        Event event = new Event();
        Pool imapPool = new Pool(3);
        Group imapGroup = new Group();
        boolean[] stop = new boolean[1];
        List<Fiber<Void>> workers = new ArrayList<>();
        List<Fiber<Void>> everyWorker = new ArrayList<>(); // killed ones included: each must end, finally run
        VoidTask[] body = new VoidTask[1];
        body[0] = () -> {
            b.started++;
            Random r = new Random(rnd.nextLong());
            try {
                while (!stop[0]) {
                    Timeout limit = r.nextInt(4) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(2_000_000))) : null;
                    try {
                        if (r.nextInt(12) >= 10) {
                            imapRound(r, b, r.nextBoolean() ? imapPool : imapGroup, r.nextBoolean());
                        } else {
                            operate(r, b, queue, semaphore, lock, event);
                        }
                    } catch (FiberTimeoutException e) {
                        // a limit expired: go on
                    } finally {
                        if (limit != null) {
                            limit.close();
                        }
                    }
                }
            } finally {
                b.finallies++;
            }
        };
        for (int i = 0; i < WORKERS; i++) {
            workers.add(Fiber.spawn("worker-" + i, body[0]));
        }
        everyWorker.addAll(workers);
        Fiber<Void> killer = Fiber.spawn("killer", () -> {
            int kills = 0;
            while (!stop[0]) {
                Fiber.sleep(1);
                int victim = rnd.nextInt(workers.size());
                workers.get(victim).kill();
                Fiber<Void> replacement = Fiber.spawn("worker-r" + ++kills, body[0]);
                workers.set(victim, replacement);
                everyWorker.add(replacement);
                List<Fiber<?>> imapWorkers = (rnd.nextBoolean() ? imapPool : imapGroup).fibers();
                if (!imapWorkers.isEmpty()) {
                    imapWorkers.get(rnd.nextInt(imapWorkers.size())).kill();
                }
            }
        });
        Fiber.sleep(100);
        stop[0] = true;
        killer.join();
        for (Fiber<Void> w : workers) {
            w.kill();
        }
        assertTrue(Fiber.joinAll(everyWorker, Duration.ofSeconds(30)), "workers (killed ones included) did not end");
        assertTrue(imapPool.join(Duration.ofSeconds(10)), "imap workers left running");
        assertTrue(imapGroup.join(Duration.ofSeconds(10)), "imap workers left running");
        while (queue.size() > 0) {
            int item = queue.get();
            assertFalse(b.got.get(item), "item " + item + " got twice");
            b.got.set(item);
        }
        assertEquals(b.put, b.got, "items lost or invented");
        assertEquals(PERMITS, semaphore.available(), "permits leaked");
        assertEquals(0, b.permitsHeld);
        assertFalse(lock.isLocked(), "the lock is still held");
        assertEquals(b.started, b.finallies, () -> "a worker's finally did not run exactly once; still alive: "
                + Hub.current().fibers().stream().filter(f -> f.name().startsWith("worker")).map(Fiber::toString).toList() + "\n" + Hub.dumpAll());
        assertTrue(b.imapRuns > 0 && b.nextItem > 0, "the scenario did nothing: " + b.imapRuns + " imap runs, "
                + b.nextItem + " items at t=" + Hub.current().nanoTime());
    }

    /** One imap run consumed under random short Timeouts, retried: no item twice, in order for imap, all at the end. */
    private static void imapRound(Random r, Books b, Group group, boolean ordered) {
        int n = 1 + r.nextInt(8);
        List<Integer> items = IntStream.range(0, n).boxed().toList();
        long seed = r.nextLong();
        FiberFunction<Integer, Integer> f = x -> {
            Fiber.sleep(new Random(seed + x).nextInt(3));
            return x;
        };
        IMap<Integer> it = ordered ? group.imap(f, items, 3) : group.imapUnordered(f, items, 3);
        b.imapRuns++;
        BitSet seen = new BitSet();
        int expectNext = 0;
        try {
            while (true) {
                Integer index;
                try (Timeout t = r.nextInt(3) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(1_000_000))) : null) {
                    try {
                        if (!it.hasNext()) {
                            break;
                        }
                        index = it.next();
                    } catch (CancellationException killedWorker) {
                        return; // a worker was killed: its item ends the run (FibersStressTest checks the naming)
                    } catch (FiberTimeoutException e) {
                        if (t == null || !e.is(t)) {
                            throw e;
                        }
                        continue; // ours: retry, nothing may be lost
                    }
                }
                if (seen.get(index)) {
                    throw new AssertionError("imap item " + index + " came twice");
                }
                seen.set(index);
                if (ordered && index != expectNext) {
                    throw new AssertionError("imap item " + index + " came where " + expectNext + " was due");
                }
                expectNext++;
            }
            if (seen.cardinality() != n) {
                throw new AssertionError("imap ended with " + seen.cardinality() + " of " + n + " items: " + seen);
            }
        } finally {
            it.close();
        }
    }

    private static void operate(Random r, Books b, Queue<Integer> queue, Semaphore semaphore, Lock lock, Event event) {
        switch (r.nextInt(8)) {
            case 0, 1 -> {
                int item = b.nextItem++;
                queue.put(item);
                b.put.set(item); // no switch between the put returning and this line
            }
            case 2, 3 -> {
                Integer item = queue.poll(Duration.ofNanos(r.nextInt(1_000_000)));
                if (item != null) {
                    if (b.got.get(item)) {
                        throw new AssertionError("item " + item + " got twice");
                    }
                    b.got.set(item);
                }
            }
            case 4 -> {
                semaphore.acquire();
                b.permitsHeld++;
                try {
                    if (b.permitsHeld > PERMITS) {
                        throw new AssertionError(b.permitsHeld + " permits held of " + PERMITS);
                    }
                    Fiber.sleep(r.nextInt(2));
                } finally {
                    b.permitsHeld--;
                    semaphore.release();
                }
            }
            case 5 -> {
                try (Lock.Held held = lock.lock()) {
                    b.insideLock++;
                    try {
                        if (b.insideLock > 1) {
                            throw new AssertionError(b.insideLock + " fibers inside the lock");
                        }
                        Fiber.yield();
                        try (Lock.Held again = lock.lock()) {
                            Fiber.yield();
                        }
                    } finally {
                        b.insideLock--;
                    }
                }
            }
            case 6 -> {
                if (r.nextBoolean()) {
                    event.set();
                    event.clear();
                } else {
                    event.await(Duration.ofNanos(r.nextInt(500_000)));
                }
            }
            default -> {
                Fiber<Integer> child = Fiber.spawn(() -> {
                    Fiber.sleep(r.nextInt(2));
                    return 3;
                });
                if (r.nextBoolean()) {
                    if (child.get() != 3) {
                        throw new AssertionError("wrong child value");
                    }
                } else if (!child.join(Duration.ofMillis(5))) {
                    child.kill();
                }
            }
        }
    }
}
