package dev.weft.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The virtual-thread counterpart of {@link FiberYield}: {@code threads} virtual threads on one
 * carrier ({@code jdk.virtualThreadScheduler.parallelism=1}), all active, each looping on {@code
 * Thread.yield()}. One operation = one yield (one switch). The threads never stop during the
 * trial; an invocation is the time the shared switch counter takes to advance by 1,000,000 (each
 * yield adds one, an uncontended atomic increment on the carrier), so nothing is counted that did
 * not run inside it. The benchmark thread only waits, on the other CPU.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE, JvmArgs.ONE_CARRIER})
public class VirtualThreadYield {
    static final int SWITCHES = 1_000_000;

    @Param({"2", "1000", "10000", "100000"})
    public int threads;

    private final AtomicLong switches = new AtomicLong();
    private volatile long target = Long.MAX_VALUE;
    private volatile Thread waiter;
    private volatile boolean running = true;
    private Thread[] all;

    @Setup(Level.Trial)
    public void start() {
        all = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            all[i] = Thread.ofVirtual().name("yielder-", i).start(this::yieldWhileRunning);
        }
    }

    private void yieldWhileRunning() {
        while (running) {
            Thread.yield();
            if (switches.incrementAndGet() == target) {
                LockSupport.unpark(waiter);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public long yieldRoundRobin() {
        waiter = Thread.currentThread();
        long goal = switches.get() + SWITCHES;
        target = goal;
        while (switches.get() < goal) {
            LockSupport.park(this);
        }
        return goal;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        for (Thread t : all) {
            t.join();
        }
    }
}
