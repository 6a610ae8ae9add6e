package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Queue;
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
 * Two fibers pass one item back and forth through two unbounded {@link Queue}s: put, then get the
 * answer. One operation = one round trip (two switches, two puts, two gets). The gevent idiom for
 * producer/consumer hand-off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class QueuePingPong extends OnHub {
    static final int ROUND_TRIPS = 10_000;
    private static final Integer TOKEN = 42;

    private Queue<Integer> requests;
    private Queue<Integer> replies;

    @Override
    protected void prepare() {
        requests = new Queue<>();
        replies = new Queue<>();
        Fiber.spawn("ponger", () -> {
            while (true) {
                replies.put(requests.get());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() throws Exception {
        return hub.call(() -> {
            int sum = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                requests.put(TOKEN);
                sum += replies.get();
            }
            return sum;
        });
    }
}
