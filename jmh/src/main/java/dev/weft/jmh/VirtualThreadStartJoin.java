package dev.weft.jmh;

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
 * Baseline for {@link SpawnJoin#oneAtATime}: a virtual thread starts 10,000 virtual threads one at a
 * time and joins each (on one carrier thread). One operation = one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE, JvmArgs.ONE_CARRIER})
public class VirtualThreadStartJoin {
    static final int THREADS = 10_000;
    private static final Runnable NOTHING = () -> { };

    @Benchmark
    @OperationsPerInvocation(THREADS)
    public int oneAtATime() throws InterruptedException {
        int[] started = new int[1];
        Thread driver = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < THREADS; i++) {
                    Thread.ofVirtual().start(NOTHING).join();
                    started[0]++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        driver.join();
        return started[0];
    }
}
