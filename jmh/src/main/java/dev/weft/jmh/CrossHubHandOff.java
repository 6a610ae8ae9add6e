package dev.weft.jmh;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.HubGroup;
import dev.weft.fibers.SharedQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Issue 24: hand-off between the two hubs of a {@link HubGroup} through a {@link SharedQueue},
 * beside a {@link LinkedBlockingQueue} hand-off between two platform threads, in two shapes:
 * <ul>
 * <li>{@code pingPong*}: one item goes over and one comes back, so the consumer is parked (its
 *     hub asleep in the poller, its thread in {@code LockSupport.park}) at every hand-off; one
 *     operation = one round trip (two hand-offs, two wake-ups);</li>
 * <li>{@code stream*}: a producer puts items as fast as it can into a queue of 1,024 that a
 *     consumer drains, so the consumer mostly finds items waiting; one operation = one item.</li>
 * </ul>
 * Batches of {@value #BATCH} run per invocation (the benchmark thread hands a batch to the pair and
 * waits for it), so the benchmark thread's own hand-off is paid once per batch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
@State(Scope.Benchmark)
public class CrossHubHandOff {
    static final int BATCH = 10_000;
    private static final Integer TOKEN = 1;

    private HubGroup group;
    private SharedQueue<Integer> requests;
    private SharedQueue<Integer> replies;
    private SharedQueue<Integer> stream;
    private LinkedBlockingQueue<Integer> lbqRequests;
    private LinkedBlockingQueue<Integer> lbqReplies;
    private LinkedBlockingQueue<Integer> lbqStream;
    private Thread lbqPonger;
    private Thread lbqDrainer;
    private final LinkedBlockingQueue<Integer> drained = new LinkedBlockingQueue<>();
    private final SharedQueue<Integer> hubDrained = new SharedQueue<>(1);

    @Setup(Level.Trial)
    public void start() throws Exception {
        group = HubGroup.start(2);
        requests = new SharedQueue<>(1);
        replies = new SharedQueue<>(1);
        stream = new SharedQueue<>(1024);
        group.spawnOn(1, () -> {
            Fiber.spawn("ponger", () -> {
                while (true) {
                    replies.put(requests.get());
                }
            });
            Fiber.spawn("drainer", () -> {
                while (true) {
                    int n = stream.get();
                    for (int i = 1; i < n; i++) {
                        stream.get();
                    }
                    hubDrained.put(n);
                }
            });
            return null;
        }).get();
        lbqRequests = new LinkedBlockingQueue<>(1);
        lbqReplies = new LinkedBlockingQueue<>(1);
        lbqStream = new LinkedBlockingQueue<>(1024);
        lbqPonger = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (true) {
                    lbqReplies.put(lbqRequests.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        lbqDrainer = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (true) {
                    int n = lbqStream.take();
                    for (int i = 1; i < n; i++) {
                        lbqStream.take();
                    }
                    drained.put(n);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @TearDown(Level.Trial)
    public void stop() {
        lbqPonger.interrupt();
        lbqDrainer.interrupt();
        group.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pingPongSharedQueueAcrossHubs() throws Exception {
        return group.spawnOn(0, () -> {
            int last = 0;
            for (int i = 0; i < BATCH; i++) {
                requests.put(TOKEN);
                last = replies.get();
            }
            return last;
        }).get();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pingPongLinkedBlockingQueueAcrossThreads() throws Exception {
        // the benchmark thread is the pinger: a platform thread, as the ponger
        int last = 0;
        for (int i = 0; i < BATCH; i++) {
            lbqRequests.put(TOKEN);
            last = lbqReplies.take();
        }
        return last;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int streamSharedQueueAcrossHubs() throws Exception {
        group.spawnOn(0, () -> {
            stream.put(BATCH); // the first item says how many follow
            for (int i = 1; i < BATCH; i++) {
                stream.put(TOKEN);
            }
            return null;
        }).get();
        return hubDrained.get();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int streamLinkedBlockingQueueAcrossThreads() throws Exception {
        lbqStream.put(BATCH);
        for (int i = 1; i < BATCH; i++) {
            lbqStream.put(TOKEN);
        }
        return drained.take();
    }
}
