package dev.weft.jmh.drivers;

import dev.weft.bridges.FiberSocketFactory;
import dev.weft.testkit.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Round trips per second of Redis {@code GET} through unmodified Jedis 8, {@code concurrency}
 * clients each on its own connection, run by fibers on ONE hub (sockets from {@code
 * FiberSocketFactory} through the {@code JedisSocketFactory} hook), by virtual threads, or by a pool of
 * platform threads (Jedis's own JDK sockets) — against a redis-server this benchmark starts on
 * 127.0.0.1. One operation = one GET.
 *
 * <p>Run: {@code ./weft bench --include 'dev\.weft\.jmh\.drivers\..*'} (not in the default set).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class RedisGet {
    static final int GETS = 1000;

    @Param({"epoll"})
    public String backend;

    @Param({"fibers", "virtual", "platform"})
    public String runner;

    @Param({"1", "10", "100"})
    public int concurrency;

    private RedisServer redis;
    private Clients<Jedis> clients;

    @Setup(Level.Trial)
    public void start() throws Exception {
        redis = RedisServer.start();
        try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
            j.set("bench-key", "bench-value");
        }
        clients = Clients.open(runner, backend, concurrency, inFiber -> inFiber
                ? new Jedis(() -> fiberSocket(redis.port))
                : new Jedis("127.0.0.1", redis.port));
    }

    private static Socket fiberSocket(int port) {
        try {
            Socket s = new FiberSocketFactory().createSocket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            return s;
        } catch (IOException e) {
            throw new JedisConnectionException(e);
        }
    }

    @Benchmark
    @OperationsPerInvocation(GETS)
    public void get() throws Exception {
        clients.runBatch(GETS / concurrency, j -> j.get("bench-key"));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try {
            clients.close();
        } finally {
            redis.close();
        }
    }
}
