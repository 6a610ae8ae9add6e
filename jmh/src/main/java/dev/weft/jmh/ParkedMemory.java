package dev.weft.jmh;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.util.concurrent.CountDownLatch;

/**
 * Retained heap per parked fiber beside the same for a parked virtual thread: {@value #COUNT} of each
 * park on one gate, and the heap in use after full GCs is compared with the heap before. JMH measures
 * time, not retained memory, so this runs in the {@code ./weft bench} JVM after the JMH runs; the
 * figure is approximate (GC-based, ± a few bytes per item) and includes the fiber object, its
 * continuation and stack chunk, and the wait-list node.
 */
final class ParkedMemory {
    /** Items per round unless {@code --count} says otherwise. */
    static final int COUNT = 100_000;

    /** One measurement: {@code bytes} retained by {@code count} parked {@code what}. */
    record Result(String what, int count, long bytes) {
        double bytesPerItem() {
            return (double) bytes / count;
        }
    }

    private ParkedMemory() {
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
            return new Result("parked fibers (" + backend + ")", count, after - before);
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
        return new Result("parked virtual threads", count, after - before);
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
