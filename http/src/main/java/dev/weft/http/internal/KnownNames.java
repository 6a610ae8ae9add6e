package dev.weft.http.internal;

import java.nio.charset.StandardCharsets;

/**
 * Strings for the request methods and header names clients send most, found by their bytes, so that
 * parsing a request head does not make a new string (and later hash it) for each of them. A header
 * name is matched regardless of case and comes back in {@link HeaderMap}'s normal form (what {@code
 * Headers} would have made of it); a method is matched exactly (methods are case-sensitive).
 *
 * <p>Thread rule: none (immutable tables).
 */
final class KnownNames {
    private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"};
    private static final String[] HEADERS = {
        HeaderMap.HOST, HeaderMap.CONNECTION, HeaderMap.CONTENT_LENGTH, HeaderMap.CONTENT_TYPE,
        HeaderMap.TRANSFER_ENCODING, HeaderMap.EXPECT, "Accept", "Accept-encoding", "Accept-language", "User-agent",
        "Cookie", "Cache-control", "Pragma", "Upgrade", "Origin", "Referer", "Authorization", "Keep-alive", "Te",
        "If-none-match", "If-modified-since", "Range", "Sec-websocket-key", "Sec-websocket-version",
        "Sec-websocket-extensions", "Sec-websocket-protocol", "X-forwarded-for", "X-forwarded-proto",
        "X-requested-with", "Dnt", "Priority", "Sec-fetch-site", "Sec-fetch-mode", "Sec-fetch-dest",
        "Upgrade-insecure-requests"};
    /** HEADERS by length: the candidates for a name of that length. */
    private static final byte[][][] BY_LENGTH = new byte[32][][];
    private static final String[][] NAMES_BY_LENGTH = new String[32][];

    static {
        for (int len = 0; len < BY_LENGTH.length; len++) {
            int n = 0;
            for (String h : HEADERS) {
                n += h.length() == len ? 1 : 0;
            }
            BY_LENGTH[len] = new byte[n][];
            NAMES_BY_LENGTH[len] = new String[n];
            int k = 0;
            for (String h : HEADERS) {
                if (h.length() == len) {
                    BY_LENGTH[len][k] = h.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
                    NAMES_BY_LENGTH[len][k++] = h;
                }
            }
        }
    }

    private KnownNames() {
    }

    /** The method token {@code b[from, to)} as a string: a shared one for a common method. */
    static String method(byte[] b, int from, int to) {
        for (String m : METHODS) {
            if (m.length() == to - from && sameBytes(m, b, from)) {
                return m;
            }
        }
        return RequestParser.latin1(b, from, to);
    }

    private static boolean sameBytes(String s, byte[] b, int from) {
        for (int i = 0; i < s.length(); i++) {
            if (b[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The header name token {@code b[from, to)} in normal form (first letter upper case, the rest
     * lower case): a shared string for a common name, else a new one.
     */
    static String headerName(byte[] b, int from, int to) {
        int len = to - from;
        if (len < BY_LENGTH.length) {
            byte[][] candidates = BY_LENGTH[len];
            for (int c = 0; c < candidates.length; c++) {
                if (equalsIgnoringCase(candidates[c], b, from)) {
                    return NAMES_BY_LENGTH[len][c];
                }
            }
        }
        byte[] normal = new byte[len];
        for (int i = 0; i < len; i++) {
            byte x = b[from + i];
            boolean flip = i == 0 ? x >= 'a' && x <= 'z' : x >= 'A' && x <= 'Z';
            normal[i] = flip ? (byte) (x ^ 0x20) : x;
        }
        return new String(normal, StandardCharsets.ISO_8859_1);
    }

    /** {@code lower} (lower-case ASCII letters, digits and '-') against a token, ignoring the token's case. */
    private static boolean equalsIgnoringCase(byte[] lower, byte[] b, int from) {
        for (int i = 0; i < lower.length; i++) {
            int x = b[from + i];
            if (x != lower[i] && (x | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
