package dev.weft.jmh;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.JvmFlags;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link EventPingPong}'s workload with the least machinery it can have: {@code continuations / 2}
 * pairs of bare {@code jdk.internal.vm.Continuation}s, all active, each pair bouncing control with
 * two minimal flags (a boolean and the one continuation waiting on it), scheduled by a bare
 * {@link ArrayDeque} of ready continuations. No hub, no fiber object, no state machine, no
 * timeouts, no interruption checks. It is the floor for that workload: what the JVM's switches
 * plus the workload's own memory traffic (each switch touches its stack, its continuation and two
 * flags, none of them touched for a whole rotation of the ready queue) cost, so that
 * {@code EventPingPong} can be compared with it as well as with {@link RawContinuationYield}
 * (which touches only the stack and the continuation). One operation = one round trip of one pair
 * (two switches).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class RawContinuationPingPong {
    static final int SWITCHES = 1_000_000;

    @Param({"2", "1000", "10000", "100000"})
    public int continuations;

    /** A minimal event: whether it is set, and the one continuation waiting for it. */
    private static final class Flag {
        boolean set;
        FiberContinuation waiter;
    }

    private final ArrayDeque<FiberContinuation> ready = new ArrayDeque<>();

    @Setup
    public void start() {
        JvmFlags.check();
        if (continuations < 2 || continuations % 2 != 0 || SWITCHES % continuations != 0) {
            throw new IllegalArgumentException("continuations must be even and divide " + SWITCHES + ": " + continuations);
        }
        for (int p = 0; p < continuations / 2; p++) {
            Flag there = new Flag();
            Flag back = new Flag();
            FiberContinuation pinger = new FiberContinuation() {
                @Override
                protected void body() {
                    while (true) {
                        set(there);
                        await(this, back);
                        back.set = false;
                    }
                }
            };
            FiberContinuation ponger = new FiberContinuation() {
                @Override
                protected void body() {
                    while (true) {
                        await(this, there);
                        there.set = false;
                        set(back);
                    }
                }
            };
            ready.addLast(ponger); // it parks on its flag first, then the pinger wakes it
            ready.addLast(pinger);
        }
        for (int i = 0; i < continuations; i++) {
            ready.pollFirst().run(); // every pair to its steady state: one of the two ready
        }
    }

    private void set(Flag f) {
        f.set = true;
        FiberContinuation w = f.waiter;
        if (w != null) {
            f.waiter = null;
            ready.addLast(w);
        }
    }

    private static void await(FiberContinuation me, Flag f) {
        while (!f.set) {
            f.waiter = me;
            FiberContinuation.suspend();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES / 2)
    public void roundTrip() {
        for (int i = 0; i < SWITCHES; i++) {
            ready.pollFirst().run();
        }
    }
}
