package dev.weft.jmh;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Retained heap per parked fiber beside the same for a parked virtual thread: {@value #COUNT} of each
 * park on one gate, and the heap in use after full GCs is compared with the heap before. JMH measures
 * time, not retained memory, so this runs in the {@code ./weft bench} JVM after the JMH runs; the
 * figure is approximate (GC-based, ± a few bytes per item) and includes the fiber object, its
 * continuation and stack chunk, and the wait-list node.
 *
 * <p>Warm means compiled: a stack chunk holds the frames as the code that parked them laid them out,
 * and interpreted or C1 frames are larger than C2's, so the first rounds (and a round right after a
 * deoptimisation) measure the JIT, not the fiber. {@link #warm} runs at least {@value #MIN_ROUNDS}
 * rounds, then until two in a row agree within 1 % (at most {@value #MAX_ROUNDS}), and reports the last.
 */
final class ParkedMemory {
    /** Items per round unless {@code --count} says otherwise. */
    static final int COUNT = 100_000;

    /** Rounds {@link #warm} runs at least, and at most. */
    static final int MIN_ROUNDS = 4;
    static final int MAX_ROUNDS = 8;

    /** One measurement: {@code bytes} retained by {@code count} parked {@code what}, in round {@code round}. */
    record Result(String what, int count, long bytes, int round) {
        double bytesPerItem() {
            return (double) bytes / count;
        }
    }

    private ParkedMemory() {
    }

    /**
     * Runs {@code round} at least {@value #MIN_ROUNDS} times, then until two results in a row agree
     * within 1 % (at most {@value #MAX_ROUNDS}); the last one. The minimum matters: the first two
     * rounds can agree while both still park in interpreted or C1 frames (584 B where C2's give 409).
     */
    static Result warm(Callable<Result> round) throws Exception {
        Result last = round.call();
        for (int i = 2; i <= MAX_ROUNDS; i++) {
            Result next = round.call();
            boolean settled = i >= MIN_ROUNDS
                    && Math.abs(next.bytesPerItem() - last.bytesPerItem()) <= 0.01 * last.bytesPerItem();
            last = new Result(next.what(), next.count(), next.bytes(), i);
            if (settled) {
                break;
            }
        }
        return last;
    }

    /** Parks {@code count} fibers on an {@link Event} on a hub of {@code backend}. Blocks the calling thread. */
    static Result fibers(String backend, int count) throws Exception {
        return Hub.run(backend, () -> {
            Event gate = new Event();
            long before = usedHeapAfterGc();
            for (int i = 0; i < count; i++) {
                Fiber.spawn(() -> gate.await());
            }
            Fiber.yield(); // every fiber runs up to its park
            long after = usedHeapAfterGc();
            gate.set();
            Fiber.yield();
            return new Result("parked fibers (" + backend + ")", count, after - before, 1);
        });
    }

    /** Parks {@code count} virtual threads on a {@link CountDownLatch}. Blocks the calling thread. */
    static Result virtualThreads(int count) throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        Thread[] threads = new Thread[count];
        long before = usedHeapAfterGc();
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
        }
        long after = usedHeapAfterGc();
        gate.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return new Result("parked virtual threads", count, after - before, 1);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
