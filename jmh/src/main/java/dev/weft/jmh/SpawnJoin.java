package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The life of a short fiber: spawn, run, finish, and the parent getting its result. {@code
 * oneAtATime} waits for each fiber before spawning the next (a switch out and back per fiber);
 * {@code thousandThenJoin} spawns 1,000 and then gets them all (the fan-out pattern, where the
 * hub runs the children back to back). One operation = one fiber.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class SpawnJoin extends OnHub {
    static final int FIBERS = 10_000;
    private static final int FAN_OUT = 1_000;
    private static final Callable<Integer> ONE = () -> 1;

    @SuppressWarnings("unchecked")
    private final Fiber<Integer>[] children = new Fiber[FAN_OUT];

    @Benchmark
    @OperationsPerInvocation(FIBERS)
    public int oneAtATime() throws Exception {
        return hub.call(() -> {
            int sum = 0;
            for (int i = 0; i < FIBERS; i++) {
                sum += Fiber.spawn(ONE).get();
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(FIBERS)
    public int thousandThenJoin() throws Exception {
        return hub.call(() -> {
            int sum = 0;
            for (int batch = 0; batch < FIBERS / FAN_OUT; batch++) {
                for (int i = 0; i < FAN_OUT; i++) {
                    children[i] = Fiber.spawn(ONE);
                }
                for (int i = 0; i < FAN_OUT; i++) {
                    sum += children[i].get();
                    children[i] = null;
                }
            }
            return sum;
        });
    }
}
