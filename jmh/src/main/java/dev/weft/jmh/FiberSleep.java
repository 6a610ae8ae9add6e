package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import java.time.Duration;
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
 * {@code Fiber.sleep}: with zero (a yield through the hub with no other fiber, so the loop also
 * polls the backend without blocking) and with 100 µs (a real timer: shows the backend's timer
 * resolution; the JDK Selector counts whole milliseconds). One operation = one sleep.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class FiberSleep extends OnHub {
    static final int ZERO_SLEEPS = 10_000;
    static final int SHORT_SLEEPS = 20;
    private static final Duration HUNDRED_MICROS = Duration.ofNanos(100_000);

    @Benchmark
    @OperationsPerInvocation(ZERO_SLEEPS)
    public int zero() throws Exception {
        return hub.call(() -> {
            for (int i = 0; i < ZERO_SLEEPS; i++) {
                Fiber.sleep(Duration.ZERO);
            }
            return ZERO_SLEEPS;
        });
    }

    @Benchmark
    @OperationsPerInvocation(SHORT_SLEEPS)
    public int hundredMicros() throws Exception {
        return hub.call(() -> {
            for (int i = 0; i < SHORT_SLEEPS; i++) {
                Fiber.sleep(HUNDRED_MICROS);
            }
            return SHORT_SLEEPS;
        });
    }
}
