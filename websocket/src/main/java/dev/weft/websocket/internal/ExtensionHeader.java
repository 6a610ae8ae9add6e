package dev.weft.websocket.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Sec-WebSocket-Extensions} grammar (RFC 6455 section 9.1): a comma-separated list of
 * extensions, each a token followed by {@code ; name} or {@code ; name=value} parameters, where a value
 * is a token or a quoted string. Several header fields are one list.
 */
public final class ExtensionHeader {
    /** One extension as offered or answered; {@code params} keeps order, a parameter without a value maps to null. */
    public record Extension(String name, Map<String, String> params, boolean repeatedParameter) {
    }

    private ExtensionHeader() {
    }

    /**
     * Parses {@code values} (the header's fields).
     *
     * @throws IllegalArgumentException if a field does not follow the grammar (the message says where)
     */
    public static List<Extension> parse(List<String> values) {
        List<Extension> out = new ArrayList<>();
        if (values == null) {
            return out;
        }
        for (String value : values) {
            for (String item : split(value, ',')) {
                if (item.isBlank()) {
                    continue; // empty list elements are allowed (RFC 7230 section 7)
                }
                List<String> parts = split(item, ';');
                String name = parts.get(0).trim();
                if (!isToken(name)) {
                    throw new IllegalArgumentException("extension name '" + name + "' in '" + value + "' is not a token");
                }
                Map<String, String> params = new LinkedHashMap<>();
                boolean repeated = false;
                for (String p : parts.subList(1, parts.size())) {
                    int eq = p.indexOf('=');
                    String key = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                    String val = eq < 0 ? null : unquote(p.substring(eq + 1).trim(), value);
                    if (!isToken(key)) {
                        throw new IllegalArgumentException("extension parameter '" + key + "' in '" + value + "' is not a token");
                    }
                    repeated |= params.containsKey(key);
                    params.put(key, val);
                }
                out.add(new Extension(name.toLowerCase(Locale.ROOT), params, repeated));
            }
        }
        return out;
    }

    /** Splits at {@code sep} outside quoted strings. */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == sep && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unquote(String v, String whole) {
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                sb.append(c);
            }
            v = sb.toString();
        }
        if (!isToken(v)) {
            throw new IllegalArgumentException("extension parameter value '" + v + "' in '" + whole + "' is not a token");
        }
        return v;
    }

    /** An RFC 7230 token: visible ASCII except separators. */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
