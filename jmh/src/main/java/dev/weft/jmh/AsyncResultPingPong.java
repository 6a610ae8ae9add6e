package dev.weft.jmh;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Fiber;
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
 * Request/response with one-shot {@link AsyncResult}s, the way they are used: the caller hands the
 * partner a fresh result to complete and waits on it. One operation = one round trip (two switches,
 * two allocations). AsyncResult's completion path is the cross-thread-safe one, so this shows what
 * that safety costs over {@link WaiterHandoff}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class AsyncResultPingPong extends OnHub {
    static final int ROUND_TRIPS = 10_000;

    /** Where the partner waits for the next request; replaced by the partner after each one. */
    private AsyncResult<AsyncResult<Integer>> inbox;

    @Override
    protected void prepare() {
        inbox = new AsyncResult<>();
        Fiber.spawn("responder", () -> {
            for (int n = 0; ; n++) {
                AsyncResult<Integer> reply = inbox.get();
                inbox = new AsyncResult<>();
                reply.set(n);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() throws Exception {
        return hub.call(() -> {
            int last = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                AsyncResult<Integer> reply = new AsyncResult<>();
                inbox.set(reply);
                last = reply.get();
            }
            return last;
        });
    }
}
