package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Waiter;
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
 * Request/response over {@link Waiter}, the one-shot hand-off every primitive parks on: the floor
 * for Event, AsyncResult and Queue. One operation = one round trip (two switches, two allocations).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class WaiterHandoff extends OnHub {
    static final int ROUND_TRIPS = 10_000;

    private Waiter<Waiter<Integer>> inbox;

    @Override
    protected void prepare() {
        inbox = new Waiter<>();
        Fiber.spawn("responder", () -> {
            for (int n = 0; ; n++) {
                Waiter<Integer> reply = inbox.get();
                inbox = new Waiter<>();
                reply.complete(n);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() throws Exception {
        return hub.call(() -> {
            int last = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                Waiter<Integer> reply = new Waiter<>();
                inbox.complete(reply);
                last = reply.get();
            }
            return last;
        });
    }
}
