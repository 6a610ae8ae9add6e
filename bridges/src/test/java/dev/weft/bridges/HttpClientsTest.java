package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.Resolver;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.Ports;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * HTTP clients in fibers against a Weft HTTP responder on the same hub: the JDK's {@code HttpClient}
 * through {@link Futures} (it completes on its own threads), OkHttp through {@link FiberSocketFactory}.
 */
@org.junit.jupiter.api.Timeout(120)
class HttpClientsTest {

    private static HttpRequest get(StreamServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build();
    }

    @Test
    void twoHundredFibersAwaitSendAsync() throws Exception {
        int fibers = 200;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            double seconds = Hub.run(() -> {
                StreamServer server = TinyHttpServer.start();
                long start = System.nanoTime();
                List<Fiber<String>> all = new ArrayList<>();
                for (int i = 0; i < fibers; i++) {
                    String path = "/hello/" + i;
                    all.add(Fiber.spawn(() -> {
                        HttpResponse<String> r = Fiber.await(client.sendAsync(get(server, path),
                                HttpResponse.BodyHandlers.ofString()));
                        return r.statusCode() + " " + r.body();
                    }));
                }
                try (Timeout t = Timeout.after(Duration.ofSeconds(60))) {
                    for (int i = 0; i < fibers; i++) {
                        assertEquals("200 hello " + i, all.get(i).get());
                    }
                }
                double s = (System.nanoTime() - start) / 1e9;
                server.stop(Duration.ofSeconds(1));
                return s;
            });
            Measurements.record("http: 200 fibers awaiting HttpClient.sendAsync (" + System.getProperty("weft.hub", "default")
                    + "): " + seconds + " s");
        }
    }

    @Test
    void aRequestThatNeverAnswersEndsWithTheTimeoutAndIsCancelled() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Hub.run(() -> {
                StreamServer server = TinyHttpServer.start();
                CompletableFuture<HttpResponse<String>> never = client.sendAsync(get(server, "/never"),
                        HttpResponse.BodyHandlers.ofString());
                long start = System.nanoTime();
                try (Timeout t = Timeout.after(Duration.ofMillis(200))) {
                    assertTrue(assertThrows(FiberTimeoutException.class, () -> Futures.awaitOrCancel(never)).is(t));
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 199 && ms < 5_000, ms + " ms");
                // the JDK client either reports the future cancelled or fails it with its own
                // CancellationException("Request cancelled"), depending on how far the exchange got
                assertTrue(never.isCancelled() || (never.state() == java.util.concurrent.Future.State.FAILED
                        && never.exceptionNow() instanceof java.util.concurrent.CancellationException),
                        "the exchange was cancelled: " + never);
                // the client is still good for the next request
                assertEquals("hello again", Fiber.await(client.sendAsync(get(server, "/hello/again"),
                        HttpResponse.BodyHandlers.ofString())).body());
                server.stop(Duration.ofMillis(100));
            });
        }
    }

    @Test
    void failuresArriveUnwrapped() throws Exception {
        int closedPort = Ports.free();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            Hub.run(() -> {
                HttpRequest refused = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closedPort + "/")).build();
                assertThrows(ConnectException.class, () -> Fiber.await(client.sendAsync(refused,
                        HttpResponse.BodyHandlers.ofString())));
                HttpRequest unknown = HttpRequest.newBuilder(URI.create("http://no-such-host.invalid/")).build();
                IOException e = assertThrows(IOException.class, () -> Fiber.await(client.sendAsync(unknown,
                        HttpResponse.BodyHandlers.ofString())));
                assertTrue(e instanceof ConnectException || e instanceof UnknownHostException, e.toString());
            });
        }
    }

    /** OkHttp's blocking {@code execute()} in 50 fibers at once, its sockets made by the factory, its DNS off the hub. */
    @Test
    void okHttpWithTheSocketFactory() throws Exception {
        OkHttpClient client = new OkHttpClient.Builder()
                .socketFactory(new FiberSocketFactory())
                .dns(host -> {
                    try {
                        return Resolver.resolve(host, Duration.ofSeconds(5));
                    } catch (java.net.SocketTimeoutException e) {
                        throw (UnknownHostException) new UnknownHostException(host + ": " + e.getMessage()).initCause(e);
                    }
                })
                .readTimeout(Duration.ofSeconds(10))
                .build();
        try {
            Hub.run(() -> {
                StreamServer server = TinyHttpServer.start();
                long start = System.nanoTime();
                List<Fiber<String>> all = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String url = "http://localhost:" + server.port() + "/sleep?ms=200";
                    all.add(Fiber.spawn(() -> {
                        try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
                            return r.body().string();
                        }
                    }));
                }
                for (Fiber<String> f : all) {
                    assertEquals("slept 200", f.get(Duration.ofSeconds(30)));
                }
                double s = (System.nanoTime() - start) / 1e9;
                assertTrue(s >= 0.2 && s < 5, "50 requests of 200 ms each took " + s + " s (serial: 10 s)");
                // OkHttp's read timeout: Okio's watchdog thread closes the socket from off the hub
                OkHttpClient impatient = client.newBuilder().readTimeout(Duration.ofMillis(150)).build();
                String url = "http://localhost:" + server.port() + "/never";
                IOException e = assertThrows(IOException.class,
                        () -> impatient.newCall(new Request.Builder().url(url).build()).execute());
                assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("timeout")
                        || e instanceof java.net.SocketTimeoutException, e.toString());
                server.stop(Duration.ofMillis(100));
            });
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
