package dev.weft.jmh.drivers;

import dev.weft.bridges.FiberSocketFactory;
import dev.weft.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

/**
 * Round trips per second of {@code select 1} (a prepared statement) through the unmodified
 * PostgreSQL JDBC driver, {@code concurrency} clients each on its own connection, run by fibers on
 * ONE hub (through {@code FiberSocketFactory}), by virtual threads, or by a pool of platform threads
 * (both with the driver's JDK sockets) — against a PostgreSQL 15 this benchmark starts on
 * 127.0.0.1 (the same machine: server and client share its CPUs). One operation = one query.
 *
 * <p>Run: {@code ./weft bench --include 'dev\.weft\.jmh\.drivers\..*'} (not in the default set).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class PgSelectOne {
    static final int QUERIES = 1000;

    @Param({"epoll"})
    public String backend;

    @Param({"fibers", "virtual", "platform"})
    public String runner;

    @Param({"1", "10", "100"})
    public int concurrency;

    private PostgresServer pg;
    private Clients<SelectOne> clients;

    /** A connection and its prepared {@code select 1}. */
    record SelectOne(Connection connection, PreparedStatement statement) implements AutoCloseable {
        int run() throws Exception {
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        pg = PostgresServer.start();
        clients = Clients.open(runner, backend, concurrency, inFiber -> {
            Connection c = DriverManager.getConnection(pg.url(), inFiber ? pg.properties(FiberSocketFactory.class) : pg.properties());
            return new SelectOne(c, c.prepareStatement("select 1"));
        });
    }

    @Benchmark
    @OperationsPerInvocation(QUERIES)
    public void selectOne() throws Exception {
        clients.runBatch(QUERIES / concurrency, SelectOne::run);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try {
            clients.close();
        } finally {
            pg.close();
        }
    }
}
