package dev.weft.jmh;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.JvmFlags;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of a fiber's life: create a {@code jdk.internal.vm.Continuation}, run it to its end
 * (it returns a value through a field, as a fiber's task does) and drop it. {@link SpawnJoin} is
 * reported as a ratio to it. One operation = one continuation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class RawContinuationStartFinish {
    private int result;

    @Setup
    public void check() {
        JvmFlags.check();
    }

    @Benchmark
    public int createRunFinish() {
        FiberContinuation c = new FiberContinuation() {
            @Override
            protected void body() {
                result++;
            }
        };
        c.run();
        return result;
    }
}
