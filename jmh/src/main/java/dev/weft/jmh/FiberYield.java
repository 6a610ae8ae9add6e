package dev.weft.jmh;

import dev.weft.fibers.Event;
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
 * Round-robin {@code Fiber.yield()} among {@code fibers} fibers on one hub: the cost of one fiber
 * switch through the hub's ready queue, to compare with {@link RawContinuationYield}. With 1,000 and
 * 10,000 fibers the stacks no longer fit in cache, which is what a busy server sees.
 * One operation = one switch. Between invocations the yielders park on an {@link Event}, so no
 * switch goes uncounted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class FiberYield extends OnHub {
    static final int SWITCHES = 100_000;

    @Param({"2", "1000", "10000"})
    public int fibers;

    private Event go;
    private boolean running;

    @Override
    protected void prepare() {
        go = new Event();
        for (int i = 1; i < fibers; i++) {
            Fiber.spawn("yielder-" + i, this::yieldWhileRunning);
        }
    }

    private void yieldWhileRunning() {
        while (true) {
            if (!running) {
                go.await();
            }
            Fiber.yield();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int yieldRoundRobin() throws Exception {
        return hub.call(() -> {
            running = true;
            go.set();
            int rounds = SWITCHES / fibers;
            for (int i = 0; i < rounds; i++) {
                Fiber.yield();
            }
            running = false;
            go.clear();
            return rounds;
        });
    }
}
