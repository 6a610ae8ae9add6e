package dev.weft.jmh;

import dev.weft.fibers.Event;
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
 * Two fibers bounce control with a pair of {@link Event}s: set, wait, clear. One operation = one
 * round trip (two switches). Measures Event's wake path: FIFO waiter list, ready queue, resume.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class EventPingPong extends OnHub {
    static final int ROUND_TRIPS = 10_000;

    private Event ping;
    private Event pong;

    @Override
    protected void prepare() {
        ping = new Event();
        pong = new Event();
        Fiber.spawn("ponger", () -> {
            while (true) {
                ping.await();
                ping.clear();
                pong.set();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() throws Exception {
        return hub.call(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.set();
                pong.await();
                pong.clear();
            }
            return ROUND_TRIPS;
        });
    }
}
