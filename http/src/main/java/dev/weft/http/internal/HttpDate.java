package dev.weft.http.internal;

import dev.weft.fibers.Deadlines;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The {@code Date} header value (RFC 9110 IMF-fixdate), formatted at most once per second. Any thread. */
final class HttpDate {
    private record Cached(long second, String text) {
    }

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static volatile Cached cached = new Cached(-1, "");

    private HttpDate() {
    }

    static String now() {
        long second = Deadlines.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            cached = c;
        }
        return c.text;
    }
}
