package dev.weft.tls;

import java.io.EOFException;

/**
 * The peer closed the TCP connection without sending TLS {@code close_notify} first: the data read
 * so far may be all there was, or an attacker may have cut it short (a truncation attack). Protocols
 * that frame their own messages (HTTP with a Content-Length, length-prefixed records) can treat it as
 * end of stream between messages; it is an {@link EOFException} so that code which already handles
 * one does so.
 */
public final class TlsTruncatedException extends EOFException {
    private static final long serialVersionUID = 1L;

    TlsTruncatedException(String message) {
        super(message);
    }
}
