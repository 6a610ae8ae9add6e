package dev.weft.jmh;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.JvmFlags;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor: one resume of a {@code jdk.internal.vm.Continuation} that immediately yields again,
 * with nothing else around it (no hub, no queue, no poll). Every fiber switch pays at least this;
 * the other benchmarks are reported as a ratio to it (the one with a single continuation, or, for
 * benchmarks with a {@code fibers} parameter, the one with as many continuations). With 1,000 to
 * 100,000 continuations they are resumed round-robin, as {@link FiberYield} does with as many
 * fibers: the stacks no longer fit in cache, and this shows what that costs the JVM itself.
 * One operation = one switch (resume + yield).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class RawContinuationYield {
    @Param({"1", "1000", "10000", "100000"})
    public int continuations;

    /**
     * Extra frames (calls the JIT may not inline) between the body and its yield, to see what a
     * deeper stack, like a fiber parked in a socket read, costs the JVM itself; 0 in the default run.
     */
    @Param({"0"})
    public int frames;

    /**
     * Whether each continuation, after every resume, also writes three fields of an 88-byte object
     * of its own, allocated with it (as a fiber's bookkeeping is): what one more object touched per
     * switch costs once they no longer fit in cache; false in the default run.
     */
    @Param({"false"})
    public boolean sideObject;

    /** A fiber-sized (88 B) object per continuation; fields the JIT must keep (it is reachable). */
    static final class Side {
        long id;
        int runs;
        short budget;
        Object state;
        Object blocker;
        Object f1;
        Object f2;
        Object f3;
        Object f4;
        Object f5;
        Object f6;
        Object f7;
        Object f8;
        Object f9;
        Object f10;
        Object f11;
        Object f12;
        Object f13;
    }

    private FiberContinuation[] all;
    private int next;

    @Setup
    public void start() {
        JvmFlags.check();
        all = new FiberContinuation[continuations];
        for (int i = 0; i < continuations; i++) {
            int depth = frames;
            Side side = sideObject ? new Side() : null;
            all[i] = new FiberContinuation() {
                @Override
                protected void body() {
                    while (true) {
                        descend(depth);
                        if (side != null) {
                            side.runs++;
                            side.state = side;
                            side.budget = 100;
                        }
                    }
                }
            };
            all[i].run(); // to the first yield
        }
    }

    /** Yields the running continuation from {@code depth} frames down. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static void descend(int depth) {
        if (depth == 0) {
            FiberContinuation.suspend();
        } else {
            descend(depth - 1);
        }
    }

    @Benchmark
    public void resumeAndYield() {
        FiberContinuation c = all[next];
        next = next + 1 == all.length ? 0 : next + 1;
        c.run();
    }
}
