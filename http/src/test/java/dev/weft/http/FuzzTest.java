package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Semaphore;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.LogCapture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated requests (fixed seed, so a failure repeats): whatever arrives, the server
 * answers with well-formed responses and then closes, or just closes; it never hangs, and no
 * exception escapes to the hub or is logged as a warning.
 */
@org.junit.jupiter.api.Timeout(120)
class FuzzTest {
    private static final int CASES = 1_500;
    private static final int CONCURRENT = 25;
    private static final byte[] INSERTS = {'\r', '\n', ' ', '\t', ':', 0, ',', ';', '0', 'f', 'a', (byte) 0xff, '%', '/'};

    private static final String[] SEEDS = {
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /hello?x=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n",
        "PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET http://x/echo HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
    };

    static byte[] mutate(Random rnd) {
        List<String> seeds = new ArrayList<>(List.of(SEEDS));
        for (String[] c : MalformedRequestTest.CASES) {
            seeds.add(c[0]);
        }
        byte[] b = seeds.get(rnd.nextInt(seeds.size())).getBytes(StandardCharsets.ISO_8859_1);
        int mutations = rnd.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> { if (b.length > 0) b[at] = (byte) rnd.nextInt(256); }
                case 1 -> b = insert(b, at, new byte[] {INSERTS[rnd.nextInt(INSERTS.length)]});
                case 2 -> { if (b.length > 1) b = concat(slice(b, 0, at), slice(b, at + 1, b.length)); }
                case 3 -> b = slice(b, 0, at);
                case 4 -> b = insert(b, at, slice(b, at, Math.min(b.length, at + 1 + rnd.nextInt(20))));
                default -> {
                    byte[] other = SEEDS[rnd.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1);
                    b = concat(slice(b, 0, at), slice(other, rnd.nextInt(other.length), other.length));
                }
            }
        }
        if (rnd.nextInt(10) == 0) { // pure garbage now and then
            b = new byte[rnd.nextInt(300)];
            rnd.nextBytes(b);
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        return concat(concat(slice(b, 0, at), what), slice(b, at, b.length));
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void mutatedRequestsGetValidResponsesOrACloseNeverAHang() throws Exception {
        List<String> failures = new ArrayList<>();
        int[] statuses = new int[6];
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            HttpServerTest.serve(HttpLimits.defaults().withRequestHeadTimeout(Duration.ofSeconds(3)), server -> {
                Random rnd = new Random(20261201);
                Semaphore slots = new Semaphore(CONCURRENT);
                List<Fiber<Void>> all = new ArrayList<>();
                for (int i = 0; i < CASES; i++) {
                    byte[] request = mutate(rnd);
                    int split = request.length == 0 ? 0 : rnd.nextInt(request.length + 1);
                    slots.acquire();
                    all.add(Fiber.spawn("fuzz " + i, () -> {
                        try {
                            runCase(server, request, split, statuses);
                        } catch (Throwable t) {
                            failures.add(t + " for " + new String(request, StandardCharsets.ISO_8859_1)
                                    .replace("\r", "\\r").replace("\n", "\\n"));
                        } finally {
                            slots.release();
                        }
                    }));
                }
                Fiber.joinAll(all, Duration.ofSeconds(60));
            });
            assertEquals(List.of(), log.warnings());
        }
        assertEquals(List.of(), failures.stream().limit(10).toList());
        assertTrue(statuses[2] > 100 && statuses[4] > 100, "both answers and refusals were exercised: 2xx "
                + statuses[2] + ", 4xx " + statuses[4]);
    }

    private static void runCase(WeftHttpServer server, byte[] request, int split, int[] statuses) throws Exception {
        Timeout t = Timeout.after(Duration.ofSeconds(15));
        try (TcpSocket s = HttpServerTest.connect(server)) {
            s.writeAll(ByteBuffer.wrap(request, 0, split));
            Fiber.yield();
            s.writeAll(ByteBuffer.wrap(request, split, request.length - split));
            s.shutdownOutput();
            RawResponse.Reader r = new RawResponse.Reader(s);
            while (true) {
                RawResponse resp;
                try {
                    resp = r.next();
                } catch (java.net.SocketException reset) {
                    return; // the server closed with our bytes unread: a close is an allowed answer
                }
                if (resp == null) {
                    return; // closed
                }
                if (resp.status() < 100 || resp.status() > 599) {
                    throw new AssertionError("bad status " + resp.status());
                }
                statuses[resp.status() / 100]++;
            }
        } catch (FiberTimeoutException e) {
            if (e.is(t)) {
                throw new AssertionError("no answer and no close within 15 s (a hang)");
            }
            throw e;
        } finally {
            t.close();
        }
    }
}
