package dev.weft.jmh;

import dev.weft.hub.Backends;
import dev.weft.hub.Poller;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One non-blocking poll with nothing ready: what every loop iteration with runnable fibers pays.
 * {@code weftPoller} is our backend's {@code Poller.poll(0)} (hub-epoll drives Netty's IoHandler
 * directly); {@code nettyManualIoEventLoop} is the alternative the epoll backend could have used,
 * Netty's {@code ManualIoEventLoop.runNow()} over the same handler, measured here to choose between
 * them. One operation = one poll.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORTS, JvmArgs.NATIVE})
public class IdlePoll {
    @Param({"nio"})
    public String backend;

    private Poller poller;
    private ManualIoEventLoop manual;

    @Setup(Level.Trial)
    public void open() {
        poller = Backends.select(backend).open();
        IoHandlerFactory factory = switch (backend) {
            case "epoll" -> EpollIoHandler.newFactory();
            case "nio" -> NioIoHandler.newFactory();
            default -> null; // kqueue: not compared here
        };
        manual = factory == null ? null : new ManualIoEventLoop(Thread.currentThread(), factory);
    }

    @Benchmark
    public int weftPoller() {
        return poller.poll(0);
    }

    @Benchmark
    public int nettyManualIoEventLoop() {
        return manual == null ? 0 : manual.runNow();
    }

    @TearDown(Level.Trial)
    public void close() {
        poller.close();
        if (manual != null) {
            manual.shutdown();
            while (!manual.isTerminated()) {
                manual.runNow();
            }
        }
    }
}
