package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round-robin {@code Fiber.yield()} among {@code fibers} fibers on one hub, all of them active: the
 * cost of one fiber switch through the hub's ready queue, to compare with {@link
 * RawContinuationYield} at {@code continuations} = the same count. With 1,000 to 100,000 fibers the
 * stacks and fibers no longer fit in cache, which is what a busy server sees.
 *
 * <p>One operation = one switch. The yielders never stop: each invocation's main fiber joins the
 * round robin for {@code 1,000,000 / fibers} rounds (its first round is its start), so an
 * invocation is exactly 1,000,000 switches, and ends the hub's batch as it returns, so the
 * yielders stay queued until the next invocation: nothing runs uncounted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class FiberYield extends OnHub {
    static final int SWITCHES = 1_000_000;

    @Param({"2", "1000", "10000", "100000"})
    public int fibers;

    @Override
    protected void prepare() {
        if (SWITCHES % fibers != 0) {
            throw new IllegalArgumentException("fibers must divide " + SWITCHES + ": " + fibers);
        }
        for (int i = 1; i < fibers; i++) {
            Fiber.spawn("yielder-" + i, FiberYield::yieldForever);
        }
    }

    private static void yieldForever() {
        while (true) {
            Fiber.yield();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int yieldRoundRobin() throws Exception {
        return hub.call(() -> {
            int rounds = SWITCHES / fibers - 1; // the first round ends with this fiber's start
            for (int i = 0; i < rounds; i++) {
                Fiber.yield();
            }
            hub.loop().endBatch(); // the yielders stay queued until the next invocation
            return rounds;
        });
    }
}
