package dev.weft.examples;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed program 3: fetch several URLs at once, one fiber per URL, and the sequential version beside
 * it. Against a local server whose pages each take 300 ms, five pages take about 1.5 s one after the
 * other and about 0.3 s at once.
 *
 * <pre>./weft example fetch [--backend nio|epoll|kqueue] [URL...]</pre>
 * Without URLs it starts a local {@link SlowFastHttpServer} and fetches five of its pages.
 */
public final class ConcurrentFetch {
    private ConcurrentFetch() {
    }

    /** What one run measured: the responses and the elapsed time. */
    record Timed(List<HttpGet.Response> responses, Duration elapsed) {
    }

    static Timed sequential(List<URI> urls) throws Exception {
        long start = System.nanoTime();
        List<HttpGet.Response> out = new ArrayList<>();
        for (URI u : urls) {
            out.add(HttpGet.get(u, Duration.ofSeconds(30)));
        }
        return new Timed(out, Duration.ofNanos(System.nanoTime() - start));
    }

    static Timed concurrent(List<URI> urls) throws Exception {
        long start = System.nanoTime();
        List<Fiber<HttpGet.Response>> fetches = new ArrayList<>();
        for (URI u : urls) {
            fetches.add(Fiber.spawn("GET " + u, () -> HttpGet.get(u, Duration.ofSeconds(30))));
        }
        List<HttpGet.Response> out = new ArrayList<>();
        for (Fiber<HttpGet.Response> f : fetches) {
            out.add(f.get());
        }
        return new Timed(out, Duration.ofNanos(System.nanoTime() - start));
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("fetch", "[URL...]", args, -1, java.util.Set.of(), true);
        Examples.runHub(options, () -> {
            WeftHttpServer local = null;
            List<URI> urls = new ArrayList<>();
            if (options.positional().isEmpty()) {
                local = SlowFastHttpServer.start(new InetSocketAddress("127.0.0.1", 0), SlowFastHttpServer.SLOW);
                for (int i = 0; i < 5; i++) {
                    urls.add(URI.create("http://127.0.0.1:" + local.getAddress().getPort() + "/sleep?ms=300"));
                }
            } else {
                for (String a : options.positional()) {
                    URI u = URI.create(a);
                    if (!"http".equals(u.getScheme())) {
                        System.err.println("fetch: only http:// URLs are fetched here (no TLS), not " + a);
                        System.exit(2);
                    }
                    urls.add(u);
                }
            }
            Timed seq = sequential(urls);
            Timed con = concurrent(urls);
            System.out.printf("%d URLs: sequential %d ms, concurrent %d ms%n", urls.size(), seq.elapsed().toMillis(),
                    con.elapsed().toMillis());
            if (local != null) {
                local.stop(0);
            }
        });
    }
}
