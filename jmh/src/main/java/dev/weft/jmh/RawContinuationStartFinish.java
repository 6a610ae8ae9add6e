package dev.weft.jmh;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.JvmFlags;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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

    /** Runs {@link #NESTED} inner create + run + finish per resume, then yields; see {@link #createRunFinishNested}. */
    private FiberContinuation outer;

    static final int NESTED = 1_000;

    @Setup
    public void startOuter() {
        outer = new FiberContinuation() {
            @Override
            protected void body() {
                while (true) {
                    for (int i = 0; i < NESTED; i++) {
                        createRunFinish();
                    }
                    FiberContinuation.suspend();
                }
            }
        };
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

    /**
     * The same, run from inside another continuation, as a fiber that joins a child it has just
     * spawned runs it ({@code SpawnJoin.oneAtATime}): the JVM then mounts a nested continuation.
     * One operation = one inner continuation (plus 1/{@value #NESTED} of the outer's resume + yield).
     */
    @Benchmark
    @OperationsPerInvocation(NESTED)
    public int createRunFinishNested() {
        outer.run();
        return result;
    }
}
