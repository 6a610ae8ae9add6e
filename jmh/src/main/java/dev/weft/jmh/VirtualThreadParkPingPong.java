package dev.weft.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Baseline: two JDK virtual threads on one carrier thread bounce control with
 * {@code LockSupport.park/unpark} (a virtual-thread switch: unmount, scheduler queue, mount).
 * One operation = one round trip (two switches), as in the fiber ping-pongs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE, JvmArgs.ONE_CARRIER})
public class VirtualThreadParkPingPong {
    static final int ROUND_TRIPS = 10_000;
    private ThreadPingPong pair;

    @Setup(Level.Trial)
    public void start() {
        pair = new ParkPingPong(Thread.ofVirtual().name("vt-", 0)).start();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() throws InterruptedException {
        return pair.run(ROUND_TRIPS);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        pair.close();
    }
}
