package dev.weft.http.internal;

import dev.weft.http.HttpLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 request-head parser (RFC 9112 sections 2–7): strict, table-driven, over the bytes
 * buffered in an {@link HttpInput}.
 *
 * <p>What it refuses, with the status it throws as {@link HttpError}: a request line or field
 * that breaks the grammar (a control character, a bare CR, a space before the colon, an empty
 * name), obs-fold (a field line starting with a space or tab), a missing or repeated {@code Host}
 * on HTTP/1.1, {@code Content-Length} that is not one run of digits, repeated, or sent together
 * with {@code Transfer-Encoding}, a {@code Transfer-Encoding} on HTTP/1.0 or not ending in {@code
 * chunked}: 400; a transfer coding other than {@code chunked}: 501; an {@code Expect} other than
 * {@code 100-continue}: 417; a major version other than 1: 505; a request line longer than its
 * limit: 414; a head over its byte or field-count limit: 431; a declared body over its limit: 413.
 * Up to eight empty lines before a request line are skipped (RFC 9112 section 2.2); a bare LF ends
 * a line as CRLF does.
 *
 * <p>Implementation notes: the head is first located (the end of the first empty line), bounded
 * by the limits as bytes arrive, then parsed in one pass with 256-entry character-class tables.
 * Nothing is consumed from the buffer until the whole head has parsed.
 */
final class RequestParser {
    private static final byte TCHAR = 1;       // token characters (RFC 9110 section 5.6.2)
    private static final byte VALUE = 2;       // field-value characters: VCHAR, obs-text, SP, HTAB
    private static final byte TARGET = 4;      // request-target characters the URI class accepts in origin form
    private static final byte HEX = 8;
    private static final byte[] CLASS = new byte[256];
    private static final int MAX_EMPTY_LINES = 8;

    static {
        for (int c = 0x21; c <= 0x7e; c++) {
            CLASS[c] |= VALUE;
        }
        for (int c = 0x80; c <= 0xff; c++) {
            CLASS[c] |= VALUE;
        }
        CLASS[' '] |= VALUE;
        CLASS['\t'] |= VALUE;
        String tchar = "!#$%&'*+-.^_`|~";
        for (int c = '0'; c <= '9'; c++) {
            CLASS[c] |= TCHAR | TARGET | HEX;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            CLASS[c] |= TCHAR | TARGET;
            CLASS[Character.toUpperCase(c)] |= TCHAR | TARGET;
        }
        for (char c : tchar.toCharArray()) {
            CLASS[c] |= TCHAR;
        }
        for (char c : "-._~!$&'()*+,;=:@/?%".toCharArray()) {
            CLASS[c] |= TARGET;
        }
        for (char c : "abcdefABCDEF".toCharArray()) {
            CLASS[c] |= HEX;
        }
    }

    private final HttpLimits limits;

    RequestParser(HttpLimits limits) {
        this.limits = limits;
    }

    static boolean isToken(int b) {
        return (CLASS[b & 0xff] & TCHAR) != 0;
    }

    static boolean isHex(int b) {
        return (CLASS[b & 0xff] & HEX) != 0;
    }

    static boolean isValue(int b) {
        return (CLASS[b & 0xff] & VALUE) != 0;
    }

    /**
     * Parses the next request head from {@code in}. With {@code mayBlock} false it looks only at the
     * bytes already buffered and returns null when they do not hold a whole head; with {@code
     * mayBlock} true it reads until they do (blocking the fiber).
     *
     * @throws HttpError   if the head is malformed or over a limit (the connection must close)
     * @throws IOException if the connection fails or the peer closes in the middle of a head
     */
    RequestHead parse(HttpInput in, boolean mayBlock) throws IOException {
        int scan = 0;           // relative to in.pos
        int lineStart = 0;
        int requestStart = -1;
        int requestLineEnd = -1; // position of its LF
        int emptyLines = 0;
        int maxHead = limits.maxHeaderBytes();
        int maxLine = limits.maxRequestLineBytes();
        while (true) {
            byte[] buf = in.buf;
            int base = in.pos;
            int avail = in.lim - base;
            for (; scan < avail; scan++) {
                if (buf[base + scan] != '\n') {
                    continue;
                }
                int lineLen = scan - lineStart;
                boolean empty = lineLen == 0 || (lineLen == 1 && buf[base + lineStart] == '\r');
                if (requestStart < 0) {
                    if (empty) {
                        if (++emptyLines > MAX_EMPTY_LINES) {
                            throw new HttpError(400, "more than " + MAX_EMPTY_LINES + " empty lines before the request line");
                        }
                        lineStart = scan + 1;
                        continue;
                    }
                    requestStart = lineStart;
                    requestLineEnd = scan;
                    if (lineLen - (buf[base + scan - 1] == '\r' ? 1 : 0) > maxLine) {
                        throw tooLongRequestLine();
                    }
                } else if (empty) {
                    if (scan + 1 - requestStart > maxHead + 2) {
                        throw tooLargeHead();
                    }
                    RequestHead head = parseHead(buf, base + requestStart, base + requestLineEnd, base + scan + 1);
                    in.pos = base + scan + 1;
                    return head;
                }
                lineStart = scan + 1;
            }
            if (requestStart < 0 && scan - lineStart > maxLine + 1) {
                throw tooLongRequestLine();
            }
            if (requestStart >= 0 && scan - requestStart > maxHead + 2) {
                throw tooLargeHead();
            }
            if (!mayBlock) {
                return null;
            }
            if (in.fill() < 0) {
                throw new HttpError(400, "the connection ended in the middle of a request head (" + scan + " bytes)");
            }
        }
    }

    private HttpError tooLongRequestLine() {
        return new HttpError(414, "the request line is longer than " + limits.maxRequestLineBytes() + " bytes");
    }

    private HttpError tooLargeHead() {
        return new HttpError(431, "the request head is larger than " + limits.maxHeaderBytes() + " bytes");
    }

    /** Parses a located head: {@code [start, lineEnd)} is the request line (LF at lineEnd), the head ends at {@code end}. */
    private RequestHead parseHead(byte[] b, int start, int lineEnd, int end) throws HttpError {
        int eol = lineEnd > start && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        int i = start;
        while (i < eol && isToken(b[i])) {
            i++;
        }
        if (i == start || i == eol || b[i] != ' ') {
            throw new HttpError(400, "malformed request line: the method must be a token followed by one space");
        }
        String method = KnownNames.method(b, start, i);
        int t = ++i;
        while (i < eol && b[i] > 0x20 && b[i] < 0x7f) {
            i++;
        }
        if (i == t || i == eol || b[i] != ' ') {
            throw new HttpError(400, "malformed request line: the target must be visible ASCII followed by one space");
        }
        String target = latin1(b, t, i);
        checkTarget(b, t, i);
        i++;
        if (eol - i != 8 || b[i] != 'H' || b[i + 1] != 'T' || b[i + 2] != 'T' || b[i + 3] != 'P' || b[i + 4] != '/'
                || !isDigit(b[i + 5]) || b[i + 6] != '.' || !isDigit(b[i + 7])) {
            throw new HttpError(400, "malformed request line: the version must be HTTP/<digit>.<digit> at the end of the line");
        }
        int major = b[i + 5] - '0';
        int minor = b[i + 7] - '0';
        if (major != 1) {
            throw new HttpError(505, "HTTP/" + major + "." + minor + " is not served here; use HTTP/1.1");
        }

        HeaderMap headers = new HeaderMap();
        int count = 0;
        int hosts = 0;
        long contentLength = -1;
        int contentLengths = 0;
        String transferEncoding = null;
        boolean close = false;
        boolean keepAlive = false;
        String expect = null;
        int line = lineEnd + 1;
        while (true) {
            int lf = line;
            while (b[lf] != '\n') {
                lf++;
            }
            int e = lf > line && b[lf - 1] == '\r' ? lf - 1 : lf;
            if (e == line) {
                break; // the empty line that ends the head
            }
            if (++count > limits.maxHeaderCount()) {
                throw new HttpError(431, "more than " + limits.maxHeaderCount() + " header fields");
            }
            if (b[line] == ' ' || b[line] == '\t') {
                throw new HttpError(400, "obsolete line folding (a header line starting with a space or tab) is refused");
            }
            int n = line;
            while (n < e && isToken(b[n])) {
                n++;
            }
            if (n == line || n == e || b[n] != ':') {
                throw new HttpError(400, "malformed header field: a token name must be followed directly by ':'");
            }
            int v = n + 1;
            while (v < e && (b[v] == ' ' || b[v] == '\t')) {
                v++;
            }
            int ve = e;
            while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
                ve--;
            }
            for (int k = v; k < ve; k++) {
                if (!isValue(b[k])) {
                    throw new HttpError(400, "malformed header field: a control character (0x"
                            + Integer.toHexString(b[k] & 0xff) + ") in the value of " + latin1(b, line, n));
                }
            }
            String name = KnownNames.headerName(b, line, n); // normal form; the names below are shared constants
            String value = latin1(b, v, ve);
            headers.addParsed(name, value);
            if (name == HeaderMap.HOST) {
                hosts++;
            } else if (name == HeaderMap.EXPECT) {
                expect = expect == null ? value : expect + "," + value;
            } else if (name == HeaderMap.CONNECTION) {
                for (String token : value.split(",")) {
                    String tk = token.trim();
                    close |= tk.equalsIgnoreCase("close");
                    keepAlive |= tk.equalsIgnoreCase("keep-alive");
                }
            } else if (name == HeaderMap.CONTENT_LENGTH) {
                contentLengths++;
                contentLength = parseContentLength(value);
            } else if (name == HeaderMap.TRANSFER_ENCODING) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
            }
            line = lf + 1;
        }

        if (minor >= 1 && hosts != 1) {
            throw new HttpError(400, hosts == 0 ? "an HTTP/1.1 request must carry a Host header"
                    : "more than one Host header");
        }
        if (hosts > 1) {
            throw new HttpError(400, "more than one Host header");
        }
        if (contentLengths > 1) {
            throw new HttpError(400, "more than one Content-Length header");
        }
        boolean chunked = false;
        if (transferEncoding != null) {
            if (contentLengths > 0) {
                throw new HttpError(400, "both Content-Length and Transfer-Encoding: the body length is ambiguous");
            }
            if (minor == 0) {
                throw new HttpError(400, "Transfer-Encoding on an HTTP/1.0 request");
            }
            String[] codings = transferEncoding.split(",", -1);
            for (String c : codings) {
                if (c.isBlank()) {
                    throw new HttpError(400, "an empty transfer coding in Transfer-Encoding: " + transferEncoding);
                }
            }
            if (!codings[codings.length - 1].trim().equalsIgnoreCase("chunked")) {
                throw new HttpError(400, "Transfer-Encoding must end with chunked, not: " + transferEncoding);
            }
            if (codings.length != 1) {
                throw new HttpError(501, "only the chunked transfer coding is implemented, not: " + transferEncoding);
            }
            chunked = true;
        }
        if (contentLength > limits.maxBodyBytes()) {
            throw new HttpError(413, "the body (" + contentLength + " bytes) is larger than "
                    + limits.maxBodyBytes() + " bytes");
        }
        boolean expectContinue = false;
        if (expect != null && minor >= 1) {
            if (!expect.trim().equalsIgnoreCase("100-continue")) {
                throw new HttpError(417, "only Expect: 100-continue is understood, not: " + expect);
            }
            expectContinue = true;
        }
        return new RequestHead(method, target, minor, headers, contentLength, chunked, close, keepAlive, expectContinue);
    }

    private static long parseContentLength(String value) throws HttpError {
        int len = value.length();
        if (len == 0 || len > 18) {
            throw new HttpError(400, "bad Content-Length: '" + value + "' (one run of at most 18 digits)");
        }
        long n = 0;
        for (int i = 0; i < len; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpError(400, "bad Content-Length: '" + value + "' (digits only)");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * An origin-form target must contain only what {@link java.net.URI} accepts there, and well-formed
     * %XX escapes. In the query that includes {@code [} and {@code ]}: browsers and {@code fetch()}
     * send them unescaped ({@code ?filter[name]=x}), and the JDK's server accepts them too.
     */
    private static void checkTarget(byte[] b, int from, int to) throws HttpError {
        if (b[from] != '/') {
            return; // absolute form or "*": java.net.URI validates it when the exchange is made
        }
        boolean query = false;
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            query |= c == '?';
            if ((CLASS[c] & TARGET) == 0 && !(query && (c == '[' || c == ']'))) {
                throw new HttpError(400, "the request target contains '" + (char) c + "', which must be percent-encoded");
            }
            if (c == '%' && (i + 2 >= to || !isHex(b[i + 1]) || !isHex(b[i + 2]))) {
                throw new HttpError(400, "a malformed percent-escape in the request target");
            }
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
