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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code fibers / 2} pairs of fibers, <em>all active</em>, each pair bouncing control with two
 * {@link Event}s (set, wait, clear). One operation = one round trip of one pair (two switches).
 * Measures Event's wake path (waiter list, ready queue, resume) and, with 1,000 to 100,000 fibers,
 * what it costs when the stacks, fibers and events no longer fit in cache; compare with
 * {@link RawContinuationYield} at {@code continuations} = the same count.
 *
 * <p>The pairs never stop between invocations: each invocation's main fiber is one side of pair 0
 * and does {@code 1,000,000 / fibers} round trips, during which every other pair does one round
 * trip too (the ready queue is FIFO and holds one fiber of each pair), so an invocation is exactly
 * 1,000,000 switches. The main fiber ends the hub's batch as it returns, so the other pairs stay
 * queued until the next invocation: nothing runs uncounted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class EventPingPong extends OnHub {
    static final int SWITCHES = 1_000_000;

    @Param({"2", "1000", "10000", "100000"})
    public int fibers;

    private Event ping;
    private Event pong;

    @Override
    protected void prepare() {
        if (fibers < 2 || fibers % 2 != 0 || SWITCHES % fibers != 0) {
            throw new IllegalArgumentException("fibers must be even and divide " + SWITCHES + ": " + fibers);
        }
        ping = new Event();
        pong = new Event();
        pong.set(); // the first invocation's first wait passes
        Fiber.spawn("ponger-0", () -> bounce(ping, pong));
        for (int p = 1; p < fibers / 2; p++) {
            Event there = new Event();
            Event back = new Event();
            Fiber.spawn("pinger-" + p, () -> {
                while (true) {
                    there.set();
                    back.await();
                    back.clear();
                }
            });
            Fiber.spawn("ponger-" + p, () -> bounce(there, back));
        }
    }

    private static void bounce(Event in, Event out) {
        while (true) {
            in.await();
            in.clear();
            out.set();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES / 2)
    public int roundTrip() throws Exception {
        return hub.call(() -> {
            int rounds = SWITCHES / fibers; // each is one switch of every fiber
            for (int i = 0; i < rounds; i++) {
                pong.await();
                pong.clear();
                ping.set();
            }
            hub.loop().endBatch(); // the other pairs stay queued until the next invocation
            return rounds;
        });
    }
}
