package dev.weft.websocket.internal;

/**
 * The peer broke the protocol, or a limit of ours (the message size): the connection is to be failed
 * with {@link #code()} (RFC 6455 section 7.1.7) and {@link #getMessage()} as the reason the user reads.
 */
public final class ProtocolViolation extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    public ProtocolViolation(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The close code to fail the connection with (1002, 1007, 1009 ...). */
    public int code() {
        return code;
    }
}
