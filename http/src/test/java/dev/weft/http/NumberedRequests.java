package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Fiber;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The keep-alive client of the simulation tests ({@link HttpUnderSimulationTest},
 * {@link HttpUnderPartitionTest}): sends numbered requests {@code GET /n?ID-N} one after another, each
 * after a random pause of up to 1 s and until it is answered with its own body (the server's
 * {@code /n} context echoes the query); after an I/O error (a reset, a read timeout, the server's
 * close) it closes the connection and asks again on a new one. Fiber code; blocks until every request
 * was answered.
 */
final class NumberedRequests {
    /** What one client saw: the {@code Date} header of each answer, in order, and each error on the way. */
    record Outcome(List<String> dates, List<String> errors) {
    }

    private NumberedRequests() {
    }

    /**
     * Sends {@code count} requests numbered {@code id-0} to {@code id-(count-1)} to {@code host:port},
     * connecting and reading with {@code timeout}, pausing as {@code r} draws.
     *
     * @throws AssertionError when an answer is not a 200 with the request's own number as its body
     */
    static Outcome send(String host, int port, Duration timeout, int id, int count, SplittableRandom r) throws Exception {
        List<String> dates = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        TcpSocket s = null;
        RawResponse.Reader reader = null;
        try {
            for (int n = 0; n < count; ) {
                Fiber.sleep(r.nextInt(1_000));
                try {
                    if (s == null) {
                        s = TcpSocket.connect(host, port, timeout);
                        s.setTimeout(timeout);
                        reader = new RawResponse.Reader(s);
                    }
                    String q = id + "-" + n;
                    s.writeAll(("GET /n?" + q + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    RawResponse answer = reader.next();
                    if (answer == null) {
                        throw new IOException("the server closed the connection (its idle limit, or a lost one)");
                    }
                    assertEquals(200, answer.status());
                    assertEquals(q, answer.body(), "an answer to another request");
                    dates.add(answer.header("Date"));
                    n++;
                } catch (IOException e) {
                    errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                    if (s != null) {
                        s.close();
                        s = null;
                    }
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
        return new Outcome(dates, errors);
    }
}
