package dev.weft.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderMap} keeps the contract of the JDK's {@link Headers}: the same operations on both
 * give the same contents, lookups, exceptions and text; and the request parser's shared header names
 * are what {@code Headers} would have made of the names sent.
 */
@org.junit.jupiter.api.Timeout(30)
class HeaderMapTest {
    private static final List<String> NAMES = List.of("Content-Type", "content-type", "CONTENT-TYPE", "Content-type",
            "Host", "host", "X-Custom-Thing", "x", "X", "ETag", "WWW-Authenticate", "Sec-WebSocket-Accept", "a-B-c",
            "Üml", "");
    private static final List<String> BAD = List.of("a\rb", "a\nb", "x\r\n", "x\r\ny", "\u0100", "ok\r\n folded",
            "ok\r\n\tfolded", "\r\n ");

    @Test
    void everyOperationBehavesAsTheJdksHeaders() {
        for (String name : NAMES) {
            same(h -> h.add(name, "v1"));
            same(h -> {
                h.add(name, "v1");
                h.add(name.toUpperCase(java.util.Locale.ROOT), "v2");
                h.set("Other", "o");
                record(h, "getFirst", h.getFirst(name.toLowerCase(java.util.Locale.ROOT)));
                record(h, "get", h.get(name));
                record(h, "containsKey", h.containsKey(name));
                record(h, "remove", h.remove(name.toLowerCase(java.util.Locale.ROOT)));
                record(h, "containsKey after remove", h.containsKey(name));
            });
            same(h -> h.put(name, new ArrayList<>(List.of("a", "b"))));
            same(h -> h.putAll(java.util.Map.of(name, List.of("p"))));
            same(h -> {
                h.set(name, "x");
                h.replaceAll((k, v) -> List.of(k + "!"));
            });
        }
        for (String bad : BAD) {
            same(h -> h.add(bad, "v"));
            same(h -> h.add("Name", bad));
            same(h -> h.set("Name", bad));
            same(h -> h.put(bad, List.of("v")));
            same(h -> h.put("Name", List.of("ok", bad)));
            same(h -> {
                h.set("Name", "v");
                h.replaceAll((k, v) -> List.of(bad));
            });
            same(h -> h.containsKey(bad));
        }
        same(h -> h.add(null, "v"));
        same(h -> h.add("Name", null));
        same(h -> h.set("Name", null));
        same(h -> h.containsKey(null));
        same(h -> h.containsValue(null));
        same(h -> h.get(null));
        same(h -> record(h, "getFirst of none", h.getFirst("Absent")));
    }

    @Test
    void aHeaderMapEqualsTheJdksHeadersWithTheSameFields() {
        Headers jdk = new Headers();
        HeaderMap ours = new HeaderMap();
        for (Headers h : List.of(jdk, ours)) {
            h.add("content-type", "text/plain");
            h.add("X-A", "1");
            h.add("x-a", "2");
        }
        assertEquals(jdk, ours);
        assertEquals(ours, jdk);
        assertEquals(jdk.hashCode(), ours.hashCode());
        assertEquals(jdk.toString(), ours.toString());
        assertEquals(jdk, new Headers(ours));
    }

    @Test
    void theParsersSharedNamesAreWhatHeadersWouldMake() {
        for (String sent : List.of("host", "HOST", "Host", "content-length", "Content-Length", "USER-AGENT", "accept",
                "Sec-WebSocket-Key", "x-forwarded-for", "dnt", "TE", "Not-Known-Here", "a", "Z9-_~")) {
            byte[] b = ("  " + sent + "  ").getBytes(StandardCharsets.ISO_8859_1);
            String parsed = KnownNames.headerName(b, 2, 2 + sent.length());
            Headers jdk = new Headers();
            jdk.add(sent, "v");
            assertEquals(jdk.keySet().iterator().next(), parsed, sent);
        }
        byte[] host = "HoSt".getBytes(StandardCharsets.ISO_8859_1);
        assertSame(HeaderMap.HOST, KnownNames.headerName(host, 0, host.length));
        for (String m : List.of("GET", "POST", "get", "PROPFIND")) {
            byte[] b = m.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(m, KnownNames.method(b, 0, b.length));
        }
    }

    @Test
    void aNameInNormalFormIsUsedAsItIs() {
        String name = new String("Content-length".toCharArray());
        assertSame(name, HeaderMap.normalize(name));
        assertSame(HeaderMap.CONTENT_TYPE, HeaderMap.normalize("Content-Type"));
        assertNull(new HeaderMap().get("Content-Type"));
        assertThrows(IllegalArgumentException.class, () -> HeaderMap.normalize("Con\ntent"));
    }

    /** Runs {@code op} on a JDK Headers and on a HeaderMap: the same outcome (contents, or exception class and message). */
    private static void same(Consumer<Headers> op) {
        assertEquals(outcome(new Headers(), op), outcome(new HeaderMap(), op));
    }

    private static String outcome(Headers h, Consumer<Headers> op) {
        String result;
        try {
            op.accept(h);
            result = "ok";
        } catch (NullPointerException e) {
            result = e.getClass().getName(); // its helpful message names a local variable of each implementation
        } catch (RuntimeException e) {
            result = e.getClass().getName() + ": " + e.getMessage();
        }
        return result + " " + new java.util.TreeMap<>(h) + " " + h.getOrDefault("Recorded", List.of());
    }

    private static void record(Headers h, String what, Object value) {
        List<String> r = new ArrayList<>(h.getOrDefault("Recorded", List.of()));
        r.add(what + "=" + value);
        h.put("Recorded", r);
    }
}
