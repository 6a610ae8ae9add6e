package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.Ports;
import dev.weft.testkit.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.KeyValue;

/**
 * Jedis 8, unmodified, in fibers of one hub through its {@code JedisSocketFactory} hook, against a
 * real redis-server the test starts; connections shared through {@link ConnectionPool} (JedisPool is
 * commons-pool2, which blocks the hub thread).
 */
@org.junit.jupiter.api.Timeout(120)
class RedisTest {
    @RegisterExtension
    static final ClassFixture<RedisServer> REDIS = ClassFixture.of(RedisServer::start);

    /** The one-line bridge: Jedis asks for a connected socket; a fiber socket it is. */
    static JedisSocketFactory fiberSockets(int port) {
        return () -> {
            try {
                Socket s = new FiberSocketFactory().createSocket();
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                return s;
            } catch (IOException e) {
                throw new JedisConnectionException("cannot connect to redis on 127.0.0.1:" + port + ": " + e, e);
            }
        };
    }

    @Test
    void thousandFibersGetAndSetThroughASmallPool() throws Exception {
        int fibers = 1000;
        double seconds = Hub.run(() -> {
            try (ConnectionPool<Jedis> pool = new ConnectionPool<>(8, () -> new Jedis(fiberSockets(REDIS.get().port)))) {
                long start = System.nanoTime();
                List<Fiber<Boolean>> all = new ArrayList<>();
                for (int i = 0; i < fibers; i++) {
                    String key = "key-" + i;
                    String value = "value-" + i;
                    all.add(Fiber.spawn(() -> pool.withConnection(j -> {
                        j.set(key, value);
                        return value.equals(j.get(key));
                    })));
                }
                int ok = 0;
                try (Timeout t = Timeout.after(Duration.ofSeconds(60))) {
                    for (Fiber<Boolean> f : all) {
                        ok += f.get() ? 1 : 0;
                    }
                }
                assertEquals(fibers, ok);
                assertEquals(8, pool.openConnections(), "never more than the pool size: " + pool);
                assertEquals(String.valueOf(fibers), pool.withConnection(j -> j.eval("return #redis.call('keys','key-*')").toString()));
                return (System.nanoTime() - start) / 1e9;
            }
        });
        Measurements.record("redis: 1000 fibers SET+GET over 8 pooled connections (" + System.getProperty("weft.hub", "default")
                + "): " + seconds + " s");
        assertTrue(seconds < 30, seconds + " s");
    }

    /** The compatibility table's row: 10 fibers, each on its own connection, wait 0.5 s in the server (BLPOP) at once. */
    @Test
    void tenFibersBlpopHalfASecondAtOnce() throws Exception {
        double seconds = Hub.run(() -> {
            long start = System.nanoTime();
            List<Fiber<Object>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(Fiber.spawn(() -> {
                    try (Jedis j = new Jedis(fiberSockets(REDIS.get().port))) {
                        return j.blpop(0.5, "nothing-here");
                    }
                }));
            }
            for (Fiber<Object> f : all) {
                assertNull(f.get(Duration.ofSeconds(10)));
            }
            return (System.nanoTime() - start) / 1e9;
        });
        Measurements.record("jedis: 10 fibers x BLPOP 0.5 s on one hub: " + seconds + " s (" + System.getProperty("weft.hub", "default") + ")");
        assertTrue(seconds >= 0.5 && seconds < 2.0, "10 concurrent BLPOP 0.5 took " + seconds + " s (serial: 5 s)");
    }

    @Test
    void blpopWithATimeoutParksOnlyItsFiber() throws Exception {
        Hub.run(() -> {
            try (Jedis waiting = new Jedis(fiberSockets(REDIS.get().port)); Jedis pusher = new Jedis(fiberSockets(REDIS.get().port))) {
                int[] ticks = {0};
                Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                    while (true) {
                        Fiber.sleep(10);
                        ticks[0]++;
                    }
                });
                long start = System.nanoTime();
                KeyValue<String, String> none = waiting.blpop(0.3, "empty-list");
                double s = (System.nanoTime() - start) / 1e9;
                assertNull(none);
                assertTrue(s >= 0.29 && s < 5, s + " s");
                assertTrue(ticks[0] >= 10, "other fibers ran during BLPOP: " + ticks[0] + " ticks");
                Fiber<KeyValue<String, String>> popper = Fiber.spawn(() -> waiting.blpop(5.0, "jobs"));
                Fiber.sleep(100);
                pusher.rpush("jobs", "job-1");
                KeyValue<String, String> got = popper.get(Duration.ofSeconds(10));
                assertEquals("jobs", got.getKey());
                assertEquals("job-1", got.getValue());
                assertEquals("PONG", waiting.ping(), "the connection is usable after a blocking command");
                ticker.kill();
            }
        });
    }

    @Test
    void pipeliningTenThousandCommands() throws Exception {
        Hub.run(() -> {
            try (Jedis j = new Jedis(fiberSockets(REDIS.get().port))) {
                int n = 10_000;
                Pipeline p = j.pipelined();
                for (int i = 0; i < n; i++) {
                    p.set("p-" + i, String.valueOf(i));
                }
                List<Response<String>> gets = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    gets.add(p.get("p-" + i));
                }
                p.sync();
                for (int i = 0; i < n; i++) {
                    assertEquals(String.valueOf(i), gets.get(i).get());
                }
            }
        });
    }

    @Test
    void connectionRefusedIsAJedisConnectionException() throws Exception {
        int closedPort = Ports.free();
        Hub.run(() -> {
            try (Jedis j = new Jedis(fiberSockets(closedPort))) {
                JedisConnectionException e = assertThrows(JedisConnectionException.class, j::ping);
                assertTrue(String.valueOf(e.getMessage()).contains("127.0.0.1:" + closedPort), e.getMessage());
            }
        });
    }
}
