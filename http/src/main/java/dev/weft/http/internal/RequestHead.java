package dev.weft.http.internal;

import com.sun.net.httpserver.Headers;

/**
 * A parsed, validated request head.
 *
 * @param method          the method token, case-sensitive as sent
 * @param target          the request target as sent (origin form {@code /path?query}, absolute form or {@code *})
 * @param minorVersion    0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, which are served as 1.1)
 * @param headers         the header fields in arrival order per name
 * @param contentLength   the body length from {@code Content-Length}, or -1 when absent
 * @param chunked         the body is {@code Transfer-Encoding: chunked}
 * @param connectionClose {@code Connection: close} was sent
 * @param keepAliveToken  {@code Connection: keep-alive} was sent (what an HTTP/1.0 client must send to keep the connection)
 * @param expectContinue  {@code Expect: 100-continue} was sent on HTTP/1.1
 */
record RequestHead(String method, String target, int minorVersion, Headers headers, long contentLength,
                   boolean chunked, boolean connectionClose, boolean keepAliveToken, boolean expectContinue) {

    /** Whether the client lets the connection stay open after this exchange. */
    boolean clientKeepsAlive() {
        return !connectionClose && (minorVersion >= 1 || keepAliveToken);
    }

    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    String protocol() {
        return minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1";
    }
}
