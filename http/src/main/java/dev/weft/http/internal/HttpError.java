package dev.weft.http.internal;

import java.io.IOException;

/**
 * A request the server refuses: a malformed or over-limit head or body. Carries the status to answer
 * with; the connection is always closed afterwards, since its framing can no longer be trusted.
 * Handlers see it as the {@link IOException} a request-body read throws.
 */
public final class HttpError extends IOException {
    private final int status;

    public HttpError(int status, String message) {
        super(status + " " + Status.reason(status) + ": " + message);
        this.status = status;
    }

    /** The status to answer with (400, 408, 413, 414, 417, 431, 501, 505). */
    public int status() {
        return status;
    }

    /** The message without the status prefix, for the response body. */
    public String detail() {
        String m = getMessage();
        int colon = m.indexOf(": ");
        return colon < 0 ? m : m.substring(colon + 2);
    }
}
