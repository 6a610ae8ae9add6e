package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 23 item 17: Lettuce 6 (which brings Netty 4.1; this build, like weft-bom, pins Netty to 4.2.18
 * and Lettuce runs on it next to the epoll backend) through its async API and {@link Fiber#await}:
 * Lettuce completes on its own Netty threads, the fibers park.
 */
@org.junit.jupiter.api.Timeout(120)
class LettuceTest {
    @RegisterExtension
    static final ClassFixture<RedisServer> REDIS = ClassFixture.of(RedisServer::start);

    @Test
    void tenFibersAwaitBlpopHalfASecondAtOnce() throws Exception {
        assertTrue(io.netty.util.Version.identify().get("netty-common").artifactVersion().startsWith("4.2."),
                "Netty is pinned to 4.2: " + io.netty.util.Version.identify());
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", REDIS.get().port));
        try {
            double seconds = Hub.run(() -> {
                List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
                for (int i = 0; i < 10; i++) { // BLPOP holds a connection: one each
                    connections.add(Fiber.await(client.connectAsync(StringCodec.UTF8, RedisURI.create("127.0.0.1", REDIS.get().port))));
                }
                assertEquals("PONG", Fiber.await(connections.get(0).async().ping()));
                long start = System.nanoTime();
                List<Fiber<Object>> all = new ArrayList<>();
                for (StatefulRedisConnection<String, String> c : connections) {
                    all.add(Fiber.spawn(() -> Fiber.await(c.async().blpop(0.5, "nothing-here"))));
                }
                for (Fiber<Object> f : all) {
                    assertNull(f.get(Duration.ofSeconds(10)));
                }
                double s = (System.nanoTime() - start) / 1e9;
                for (StatefulRedisConnection<String, String> c : connections) {
                    Fiber.await(c.closeAsync());
                }
                return s;
            });
            Measurements.record("lettuce: 10 fibers x BLPOP 0.5 s (async + Fiber.await) on one hub: " + seconds + " s ("
                    + System.getProperty("weft.hub", "default") + ")");
            assertTrue(seconds >= 0.5 && seconds < 2.0, "10 concurrent BLPOP 0.5 took " + seconds + " s (serial: 5 s)");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }
}
