package dev.weft.websocket;

/**
 * The status codes of a WebSocket close (RFC 6455 section 7.4, and the IANA registry), and which of
 * them may appear in a close frame.
 *
 * <p>On the wire: 1000–1003, 1007–1014 and 3000–4999 are valid. 1005, 1006 and 1015 are never sent:
 * they only report what happened locally (no code in the peer's close frame; the connection ended
 * without a close frame; the TLS handshake failed). A close frame from the peer with any other code
 * fails the connection with {@link #PROTOCOL_ERROR}.
 */
public final class CloseCodes {
    /** 1000: the purpose of the connection was fulfilled. */
    public static final int NORMAL = 1000;
    /** 1001: the endpoint goes away (a server shutting down, a browser leaving the page). */
    public static final int GOING_AWAY = 1001;
    /** 1002: the peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a kind of data the endpoint cannot accept (e.g. binary where it only takes text). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: reported locally when the peer's close frame had no code; never sent. */
    public static final int NO_STATUS = 1005;
    /** 1006: reported locally when the connection ended without a close frame; never sent. */
    public static final int ABNORMAL = 1006;
    /** 1007: a text message (or close reason) that is not valid UTF-8, or data that does not decompress. */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: a message that violates the endpoint's policy (here: a message that did not arrive in time). */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a message larger than the endpoint accepts. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** 1010: the client needed an extension the server did not agree to. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** 1011: the server met an unexpected condition. */
    public static final int INTERNAL_ERROR = 1011;
    /** 1012: the service is restarting. */
    public static final int SERVICE_RESTART = 1012;
    /** 1013: try again later (the server is overloaded). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** 1014: a gateway received an invalid response upstream. */
    public static final int BAD_GATEWAY = 1014;
    /** 1015: reported locally when the TLS handshake failed; never sent. */
    public static final int TLS_HANDSHAKE = 1015;

    private CloseCodes() {
    }

    /** Whether {@code code} may be sent in a close frame (and is accepted in one from the peer). */
    public static boolean isValidOnTheWire(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** The registered name of {@code code} ("normal closure", "protocol error" ...), or a range's name. */
    public static String describe(int code) {
        return switch (code) {
            case NORMAL -> "normal closure";
            case GOING_AWAY -> "going away";
            case PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_DATA -> "unsupported data";
            case NO_STATUS -> "no status code";
            case ABNORMAL -> "abnormal closure";
            case INVALID_PAYLOAD -> "invalid payload data";
            case POLICY_VIOLATION -> "policy violation";
            case MESSAGE_TOO_BIG -> "message too big";
            case MANDATORY_EXTENSION -> "mandatory extension";
            case INTERNAL_ERROR -> "internal error";
            case SERVICE_RESTART -> "service restart";
            case TRY_AGAIN_LATER -> "try again later";
            case BAD_GATEWAY -> "bad gateway";
            case TLS_HANDSHAKE -> "TLS handshake failure";
            default -> code >= 3000 && code <= 3999 ? "registered code" : code >= 4000 && code <= 4999 ? "application code"
                    : "invalid code";
        };
    }
}
