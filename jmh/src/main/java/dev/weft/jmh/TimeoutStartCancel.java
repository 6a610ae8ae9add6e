package dev.weft.jmh;

import dev.weft.fibers.Timeout;
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
 * Opening and closing a {@link Timeout} that never fires: what wrapping a call in a timeout costs
 * when the call is fast (a timer-heap insert and remove). One operation = one start + cancel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class TimeoutStartCancel extends OnHub {
    static final int TIMEOUTS = 100_000;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @Benchmark
    @OperationsPerInvocation(TIMEOUTS)
    public int startAndCancel() throws Exception {
        return hub.call(() -> {
            int opened = 0;
            for (int i = 0; i < TIMEOUTS; i++) {
                try (Timeout t = Timeout.after(ONE_SECOND)) {
                    opened++;
                }
            }
            return opened;
        });
    }
}
