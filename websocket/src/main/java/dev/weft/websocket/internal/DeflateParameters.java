package dev.weft.websocket.internal;

/**
 * What the two sides agreed on for permessage-deflate (RFC 7692): whether each side starts every
 * message with a fresh compression window, and whether the server's answer repeats the {@code
 * server_max_window_bits=15} that was offered (a server accepts that parameter only by answering it).
 * Weft always compresses with a 32 KiB window and inflates any window the peer uses.
 */
public record DeflateParameters(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                                boolean serverMaxWindowBits15) {
    /** The parameters as a {@code Sec-WebSocket-Extensions} value (what a server answers). */
    public String header() {
        return "permessage-deflate" + (serverNoContextTakeover ? "; server_no_context_takeover" : "")
                + (clientNoContextTakeover ? "; client_no_context_takeover" : "")
                + (serverMaxWindowBits15 ? "; server_max_window_bits=15" : "");
    }
}
