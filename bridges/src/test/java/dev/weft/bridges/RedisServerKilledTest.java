package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** redis-server killed (SIGKILL) while fibers wait on it: a clear exception, nobody stuck, nothing kept. */
@org.junit.jupiter.api.Timeout(60)
class RedisServerKilledTest {

    @Test
    void theServerDiesMidCommand() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Hub.run(() -> {
                // the fibers fail while the main fiber waits: their failures are expected, not to be logged
                java.util.List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
                Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
                ConnectionPool<Jedis> pool = new ConnectionPool<>(4, () -> new Jedis(RedisTest.fiberSockets(redis.port)));
                Fiber<Object> blocked = Fiber.spawn("blpop", () -> pool.withConnection(j -> j.blpop(30.0, "never")));
                Fiber<Object> busy = Fiber.spawn("get-loop", () -> pool.withConnection(j -> {
                    while (true) {
                        j.set("k", "v");
                        Fiber.sleep(1);
                    }
                }));
                Fiber.sleep(200);
                assertEquals(2, pool.openConnections());
                Thread killer = new Thread(() -> {
                    try {
                        redis.kill();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "killer");
                long killedAt = System.nanoTime();
                killer.start();
                for (Fiber<Object> f : java.util.List.of(blocked, busy)) {
                    assertTrue(f.join(Duration.ofSeconds(10)), f + " is stuck");
                    assertInstanceOf(JedisConnectionException.class, f.failure(), String.valueOf(f.failure()));
                    try {
                        f.get();
                    } catch (JedisConnectionException expected) {
                        // observed
                    }
                }
                Measurements.record("redis killed: both fibers failed " + (System.nanoTime() - killedAt) / 1_000_000
                        + " ms after the kill began (" + System.getProperty("weft.hub", "default") + ")");
                for (Throwable t : reported) {
                    assertInstanceOf(JedisConnectionException.class, t);
                }
                for (Fiber<Object> f : java.util.List.of(blocked, busy)) {
                    Throwable cause = f.failure().getCause();
                    assertTrue(cause == null || cause.getClass().getName().startsWith("java."),
                            "the driver sees the JDK's exceptions, not a backend's: " + cause);
                }
                killer.join();
                assertEquals(0, pool.openConnections(), "both broken connections were closed and dropped: " + pool);
                pool.close();
            });
        }
    }
}
