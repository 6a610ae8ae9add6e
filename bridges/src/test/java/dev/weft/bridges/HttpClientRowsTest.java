package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.Measurements;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 23 items 16 and 17: the HTTP clients' rows of the compatibility table, each with 10 fibers of
 * one hub making a request that the server answers after 0.5 s, against an HTTP server on a hub of its
 * own thread: JDK {@code HttpClient.sendAsync} + {@link Fiber#await}, OkHttp with {@link
 * FiberSocketFactory}, Apache HttpClient 5 with {@link FiberDetachedSocketFactory} and {@link
 * FiberDnsResolver}. JDK {@code HttpClient.send} blocks the hub: the watchdog says so.
 */
@org.junit.jupiter.api.Timeout(120)
class HttpClientRowsTest {
    private static TinyHttpServer.OwnHub server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        server = TinyHttpServer.startOnItsOwnHub();
        port = server.port;
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        server.close();
    }

    private static String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** Runs {@code request} in 10 fibers of one hub at once; the wall time, every answer checked. */
    private static double tenAtOnce(String row, Callable<String> request) throws Exception {
        double seconds = Hub.run(() -> {
            long start = System.nanoTime();
            List<Fiber<String>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(Fiber.spawn(request));
            }
            for (Fiber<String> f : all) {
                assertEquals("slept 500", f.get(Duration.ofSeconds(30)));
            }
            return (System.nanoTime() - start) / 1e9;
        });
        Measurements.record(row + ": 10 fibers x a 0.5 s response on one hub: " + seconds + " s (" + System.getProperty("weft.hub", "default") + ")");
        return seconds;
    }

    @Test
    void jdkHttpClientSendAsyncAndAwait() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url("/sleep?ms=500"))).build();
            double s = tenAtOnce("jdk HttpClient sendAsync", () -> Fiber.await(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())).body());
            assertTrue(s >= 0.5 && s < 2.0, s + " s (serial: 5 s)");
        }
    }

    /** {@code send} waits for its future on the calling thread: the hub thread. Serial, and the watchdog names it. */
    @Test
    void jdkHttpClientSendBlocksTheHubAndTheWatchdogSaysSo() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                LogCapture log = LogCapture.watchdog()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url("/sleep?ms=1200"))).build();
            double s = Hub.run(() -> {
                long start = System.nanoTime();
                List<Fiber<Integer>> all = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    all.add(Fiber.spawn(() -> client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()));
                }
                for (Fiber<Integer> f : all) {
                    assertEquals(200, f.get(Duration.ofSeconds(30)));
                }
                return (System.nanoTime() - start) / 1e9;
            });
            assertTrue(s >= 2.4, "one after the other: " + s + " s");
            String report = log.text();
            assertTrue(report.contains("waiting for a Future or CompletableFuture on the thread")
                    && report.contains("use Fiber.await(stage)"), report);
        }
    }

    @Test
    void okHttpWithTheFactoryAndResolver() throws Exception {
        OkHttpClient client = new OkHttpClient.Builder().socketFactory(new FiberSocketFactory())
                .dns(host -> List.of(new FiberDnsResolver().resolve(host))).build();
        try {
            double s = tenAtOnce("okhttp", () -> {
                try (Response r = client.newCall(new Request.Builder().url(url("/sleep?ms=500")).build()).execute()) {
                    return r.body().string();
                }
            });
            assertTrue(s >= 0.5 && s < 2.0, s + " s (serial: 5 s)");
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    static PoolingHttpClientConnectionManager apacheManager(int maxPerRoute) {
        var operator = new DefaultHttpClientConnectionOperator(new FiberDetachedSocketFactory(), null,
                new FiberDnsResolver(), RegistryBuilder.<TlsSocketStrategy>create()
                        .register("https", DefaultClientTlsStrategy.createDefault()).build());
        var manager = new PoolingHttpClientConnectionManager(operator, PoolConcurrencyPolicy.STRICT,
                PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null);
        manager.setMaxTotal(maxPerRoute);
        manager.setDefaultMaxPerRoute(maxPerRoute);
        return manager;
    }

    @Test
    void apacheHttpClient5WithTheDetachedSocketFactory() throws Exception {
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(apacheManager(10)).build()) {
            double s = tenAtOnce("apache httpclient5", () -> client.execute(new HttpGet(url("/sleep?ms=500")),
                    response -> EntityUtils.toString(response.getEntity())));
            assertTrue(s >= 0.5 && s < 2.0, s + " s (serial: 5 s)");
        }
    }

    /** Its pool's own wait (all maxPerRoute connections in use) blocks the hub thread; the watchdog names the pool. */
    @Test
    void apacheHttpClient5sExhaustedPoolBlocksTheHubAndTheWatchdogNamesIt() throws Exception {
        RequestConfig wait = RequestConfig.custom().setConnectionRequestTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(1500)).build();
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(apacheManager(1)).setDefaultRequestConfig(wait).build();
                LogCapture log = LogCapture.watchdog()) {
            Hub.run(() -> {
                List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
                Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
                List<Fiber<String>> all = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    all.add(Fiber.spawn(() -> client.execute(new HttpGet(url("/sleep?ms=300")),
                            response -> EntityUtils.toString(response.getEntity()))));
                }
                int failed = 0;
                for (Fiber<String> f : all) {
                    f.join(Duration.ofSeconds(30));
                    if (f.failure() != null) {
                        failed++;
                        try {
                            f.get();
                        } catch (java.util.concurrent.CompletionException observed) {
                            // claimed: the lease timed out while the hub was blocked
                        }
                    }
                }
                assertEquals(1, failed, "the second fiber waited for the pool on the hub thread; the first could not run meanwhile");
            });
            String report = log.text();
            assertTrue(report.contains("the pool's own wait: Apache HttpClient"), report);
        }
    }
}
