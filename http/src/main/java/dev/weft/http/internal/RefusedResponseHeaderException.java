package dev.weft.http.internal;

import java.io.IOException;

/**
 * A response header the server will not send (a name that is not a token, a value with a control
 * character such as CR or LF, or one outside Latin-1): a handler's mistake, not a network failure.
 * Thrown by {@code sendResponseHeaders} before anything was written, so the exchange can still be
 * answered; the server answers {@code 500} without the handler's headers if the handler lets it escape.
 */
final class RefusedResponseHeaderException extends IOException {
    RefusedResponseHeaderException(String message) {
        super(message);
    }
}
