package dev.weft.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * The thread baselines' shared body (JMH runs the inherited benchmark once per subclass, under the
 * subclass's name, as in JMH's inheritance sample): a {@link ThreadPingPong} pair driven in batches.
 * One operation = one round trip (two switches), as in the fiber ping-pongs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class ThreadPingPongBenchmark {
    static final int ROUND_TRIPS = 10_000;
    private ThreadPingPong pair;

    /** The pair to measure, not yet started. */
    abstract ThreadPingPong pair();

    @Setup(Level.Trial)
    public void start() {
        pair = pair().start();
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
