package dev.weft.http.internal;

import com.sun.net.httpserver.Headers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The server's request and response {@link Headers}: the same contract (names normalized to a first
 * letter in upper case and the rest in lower case, the same checks and exceptions on {@code put},
 * {@code add} and {@code set}), with a cheaper normalization. The JDK's {@code Headers} copies every
 * name it is given into a new string, whose hash is then computed afresh: on every lookup, and for
 * every header of every request and response (a measured 10 % of the server's CPU per request). Here
 * a name already in normal form is used as it is (a constant's hash is computed once), a few common
 * spellings ({@code Content-Type}) map to their normal-form constants, and the request parser hands
 * over names it has normalized itself ({@link #addParsed}).
 *
 * <p>Thread rule: as {@code Headers}, none (the exchange's handler uses it).
 */
final class HeaderMap extends Headers {
    // Normal forms of the names the server itself reads and writes.
    static final String CONTENT_LENGTH = "Content-length";
    static final String CONTENT_TYPE = "Content-type";
    static final String TRANSFER_ENCODING = "Transfer-encoding";
    static final String CONNECTION = "Connection";
    static final String DATE = "Date";
    static final String HOST = "Host";
    static final String EXPECT = "Expect";

    /** Common spellings that are not in normal form, to their normal-form constants. */
    private static final Map<String, String> SPELLINGS = Map.ofEntries(
            Map.entry("Content-Type", CONTENT_TYPE),
            Map.entry("Content-Length", CONTENT_LENGTH),
            Map.entry("Transfer-Encoding", TRANSFER_ENCODING),
            Map.entry("Cache-Control", "Cache-control"),
            Map.entry("Last-Modified", "Last-modified"),
            Map.entry("Content-Encoding", "Content-encoding"),
            Map.entry("Accept-Ranges", "Accept-ranges"),
            Map.entry("Set-Cookie", "Set-cookie"),
            Map.entry("Sec-WebSocket-Accept", "Sec-websocket-accept"),
            Map.entry("Access-Control-Allow-Origin", "Access-control-allow-origin"),
            Map.entry("WWW-Authenticate", "Www-authenticate"),
            Map.entry("X-Content-Type-Options", "X-content-type-options"),
            Map.entry("ETag", "Etag"));

    private final HashMap<String, List<String>> map = new HashMap<>(32); // as Headers: the same iteration order (on the wire too)

    /**
     * The normal form of {@code key}: itself if it is in normal form already (no copy), a constant for
     * a common spelling, else a new string. As the JDK's: no check beyond CR and LF.
     *
     * @throws IllegalArgumentException if it contains CR or LF
     */
    static String normalize(String key) {
        Objects.requireNonNull(key);
        int len = key.length();
        if (len == 0) {
            return key;
        }
        char first = key.charAt(0);
        boolean normal = !(first >= 'a' && first <= 'z') && first != '\r' && first != '\n';
        for (int i = 1; normal && i < len; i++) {
            char c = key.charAt(i);
            normal = !(c >= 'A' && c <= 'Z') && c != '\r' && c != '\n';
        }
        if (normal) {
            return key;
        }
        String known = SPELLINGS.get(key);
        return known != null ? known : copyNormalized(key);
    }

    private static String copyNormalized(String key) {
        char[] b = key.toCharArray();
        for (int i = 0; i < b.length; i++) {
            char c = b[i];
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("illegal character in key");
            }
            if (i == 0 ? c >= 'a' && c <= 'z' : c >= 'A' && c <= 'Z') {
                b[i] = (char) (c ^ 0x20);
            }
        }
        return new String(b);
    }

    /**
     * What the JDK's {@code Headers} refuses in a name or value: LF, a character above 255, and CR in
     * a name, or in a value unless CR LF is followed by a space or tab (obs-fold).
     */
    static void check(String s, boolean isValue) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                if (!isValue || i >= len - 2) {
                    throw new IllegalArgumentException("Illegal CR found in header");
                }
                if (s.charAt(i + 1) != '\n') {
                    throw new IllegalArgumentException("Illegal char found after CR in header");
                }
                char after = s.charAt(i + 2);
                if (after != ' ' && after != '\t') {
                    throw new IllegalArgumentException("No whitespace found after CRLF in header");
                }
                i += 2;
            } else if (c == '\n') {
                throw new IllegalArgumentException("Illegal LF found in header");
            } else if (c > 255) {
                throw new IllegalArgumentException("Illegal character found in header");
            }
        }
    }

    /**
     * Adds a field the request parser validated (a token name, a value without CR, LF or characters
     * above 255), {@code normalName} already in normal form.
     */
    void addParsed(String normalName, String value) {
        List<String> l = map.get(normalName);
        if (l == null) {
            l = new ArrayList<>(2);
            map.put(normalName, l);
        }
        l.add(value);
    }

    /**
     * Sets a field the server writes itself ({@code normalName} in normal form, {@code value} valid):
     * its values are a {@link ServerValue}, which the response head does not check again.
     */
    void setByServer(String normalName, String value) {
        map.put(normalName, new ServerValue(value));
    }

    /** The values of a field set by {@link #setByServer}: known to be valid when the head is written. */
    static final class ServerValue extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        ServerValue(String value) {
            super(1);
            add(value);
        }
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        Objects.requireNonNull(key);
        return key instanceof String k && map.containsKey(normalize(k));
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        return map.containsValue(value);
    }

    @Override
    public List<String> get(Object key) {
        return map.get(normalize((String) key));
    }

    @Override
    public String getFirst(String key) {
        List<String> l = map.get(normalize(key));
        return l == null || l.isEmpty() ? null : l.get(0);
    }

    @Override
    public List<String> put(String key, List<String> value) {
        check(key, false);
        for (String v : value) {
            check(v, true);
        }
        return map.put(normalize(key), value);
    }

    @Override
    public void add(String key, String value) {
        check(key, false);
        check(value, true);
        String k = normalize(key);
        List<String> l = map.get(k);
        if (l == null) {
            l = new ArrayList<>(2);
            map.put(k, l);
        }
        l.add(value);
    }

    @Override
    public void set(String key, String value) {
        List<String> l = new ArrayList<>(1);
        l.add(value);
        put(key, l);
    }

    @Override
    public List<String> remove(Object key) {
        return map.remove(normalize((String) key));
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> t) {
        t.forEach(this::put);
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Set<String> keySet() {
        return map.keySet();
    }

    @Override
    public Collection<List<String>> values() {
        return map.values();
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
        return map.entrySet();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
        Objects.requireNonNull(function);
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            List<String> values = Objects.requireNonNull(function.apply(e.getKey(), e.getValue()));
            for (String v : values) {
                check(v, true);
            }
            e.setValue(values);
        }
    }

    @Override
    public boolean equals(Object o) {
        return map.equals(o);
    }

    @Override
    public int hashCode() {
        return map.hashCode();
    }

    @Override
    public String toString() {
        return "Headers { " + map + " }";
    }
}
