package dev.weft.jmh;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Retained heap per parked fiber beside the same for a parked virtual thread: {@value #COUNT} of each
 * park on one gate, and the heap in use after full GCs is compared with the heap before. JMH measures
 * time, not retained memory, so {@code ./weft bench} runs this after the JMH runs, each
 * measurement in a JVM of its own ({@link #inOwnJvm}: what a JVM compiled before changes the
 * frames a fiber parks in); the figure is approximate (GC-based, ± a few bytes per item) and includes the fiber object, its
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
            Result r = fibers0(count);
            return new Result("parked fibers (" + backend + ")", r.count(), r.bytes(), 1);
        });
    }

    /** Parks {@code count} fibers on an {@link Event} and measures them; in a fiber of the hub. */
    private static Result fibers0(int count) {
        Event gate = new Event();
        long before = usedHeapAfterGc();
        for (int i = 0; i < count; i++) {
            Fiber.spawn(() -> gate.await());
        }
        Fiber.yield(); // every fiber runs up to its park
        long after = usedHeapAfterGc();
        gate.set();
        Fiber.yield();
        return new Result("parked fibers", count, after - before, 1);
    }

    /**
     * {@link #fibers} in an application's conditions: first fibers of six other kinds (three with
     * a result and three without, parking on events or yielding) run, so that the calls of a fiber's task
     * inside {@code Fiber} see several kinds and the JIT cannot inline one task into every fiber's
     * entry frame, as it can when a single lambda runs in every fiber; then {@code count} fibers
     * park on an {@link Event} as in {@link #fibers}. It needs a JVM of its own ({@link #inOwnJvm}):
     * in a JVM where one kind has dominated the JIT's profile the JIT still inlines that one, and
     * once the profile is mixed it stays so. Blocks the calling thread.
     */
    static Result fibersAmongOtherKinds(String backend, int count) throws Exception {
        return Hub.run(backend, () -> {
            Event first = new Event();
            Event second = new Event();
            for (int i = 0; i < 30_000; i++) {
                // three kinds of each task type: beyond two, the JIT no longer inlines a call site's targets
                switch (i % 6) {
                    case 0 -> Fiber.spawn(() -> {
                        first.await();
                    });
                    case 1 -> Fiber.spawn(() -> {
                        second.await();
                    });
                    case 2 -> Fiber.spawn(() -> {
                        Fiber.yield();
                    });
                    case 3 -> Fiber.spawn(() -> {
                        first.await();
                        return 1;
                    });
                    case 4 -> Fiber.spawn(() -> {
                        second.await();
                        return "done";
                    });
                    default -> Fiber.spawn(() -> {
                        Fiber.yield();
                        return null;
                    });
                }
            }
            Fiber.yield();
            first.set();
            second.set();
            Fiber.yield();
            Fiber.yield(); // all of them have ended
            Result r = fibers0(count);
            return new Result("parked fibers among other kinds (" + backend + ")", r.count(), r.bytes(), 1);
        });
    }

    /** What {@link #inOwnJvm} can measure. */
    enum Kind {
        /** {@link #fibers}: one kind of fiber. */
        FIBERS,
        /** {@link #fibersAmongOtherKinds}. */
        FIBERS_AMONG_OTHER_KINDS,
        /** {@link #virtualThreads}. */
        VIRTUAL_THREADS
    }

    /**
     * {@link #warm} of the {@code kind} measurement in a new JVM (this one's Java, class path and
     * heap options, the fibers' flags), which prints the result as one line: the figure then does
     * not depend on what this JVM ran and compiled before (after JMH's runner, the one-kind figure
     * came out 517 B where a fresh JVM gives 393). Blocks the calling thread.
     *
     * @throws IOException if that JVM fails or prints no result
     */
    static Result inOwnJvm(Kind kind, String backend, int count) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                JvmArgs.EXPORTS, JvmArgs.NATIVE, "-Dweft.watchdog.ms=0"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-Xms")) {
                command.add(a); // the same heap as this JVM (--count 1000000 -Xmx1g)
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ParkedMemory.class.getName(), kind.name(),
                backend, Integer.toString(count)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        int status = p.waitFor();
        String[] words = line == null ? new String[0] : line.split(" ", 4);
        if (status != 0 || words.length != 4) {
            throw new IOException("the parked-memory JVM ended with status " + status + " and said: " + line);
        }
        return new Result(words[3], Integer.parseInt(words[0]), Long.parseLong(words[1]), Integer.parseInt(words[2]));
    }

    /** The {@link #inOwnJvm} JVM: arguments kind, backend and count; prints "count bytes round what". */
    public static void main(String[] args) throws Exception {
        Kind kind = Kind.valueOf(args[0]);
        String backend = args[1];
        int count = Integer.parseInt(args[2]);
        Result r = warm(() -> switch (kind) {
            case FIBERS -> fibers(backend, count);
            case FIBERS_AMONG_OTHER_KINDS -> fibersAmongOtherKinds(backend, count);
            case VIRTUAL_THREADS -> virtualThreads(count);
        });
        System.out.println(r.count() + " " + r.bytes() + " " + r.round() + " " + r.what());
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
