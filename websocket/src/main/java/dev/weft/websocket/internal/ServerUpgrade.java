package dev.weft.websocket.internal;

import dev.weft.websocket.PerMessageDeflate;
import dev.weft.websocket.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The server's side of the opening handshake (RFC 6455 section 4.2): checks the upgrade request, picks
 * the subprotocol and the permessage-deflate parameters, and writes the {@code 101} response or the
 * refusal (400 for a malformed request, 426 for another protocol version, 403 when the origin check
 * says no).
 */
public final class ServerUpgrade {
    /** An accepted request: what the 101 response says. */
    public record Accepted(String subprotocol, DeflateParameters deflate, String response) {
    }

    private ServerUpgrade() {
    }

    /**
     * Checks the request; nothing is written.
     *
     * @param subprotocols what the server speaks; the client's first offer among them is chosen
     * @throws WebSocketHandshakeException with the status to refuse with, and why
     */
    public static Accepted check(String method, Map<String, List<String>> headers, List<String> subprotocols,
                                 Predicate<String> originCheck, PerMessageDeflate compression)
            throws WebSocketHandshakeException {
        if (!"GET".equals(method)) {
            throw refuse(400, "a WebSocket upgrade is a GET request, not " + method);
        }
        if (!HttpHead.hasToken(headers, "Upgrade", "websocket")) {
            throw refuse(400, "the request has no 'Upgrade: websocket' header (got " + headers.get("Upgrade") + ")");
        }
        if (!HttpHead.hasToken(headers, "Connection", "upgrade")) {
            throw refuse(400, "the request's Connection header does not include 'Upgrade' (got " + headers.get("Connection") + ")");
        }
        List<String> versions = headers.get("Sec-WebSocket-Version");
        if (versions == null || versions.size() != 1 || !versions.get(0).trim().equals("13")) {
            throw new WebSocketHandshakeException(426, Map.of("Sec-WebSocket-Version", List.of("13")),
                    "the request's Sec-WebSocket-Version is " + versions + "; this server speaks version 13 (RFC 6455)");
        }
        List<String> keys = headers.get("Sec-WebSocket-Key");
        if (keys == null || keys.size() != 1 || !HandshakeKeys.isValidKey(keys.get(0))) {
            throw refuse(400, "the request's Sec-WebSocket-Key is " + keys + "; it must be one base64 value of 16 bytes");
        }
        List<String> hosts = headers.get("Host");
        if (hosts == null || hosts.size() != 1) {
            throw refuse(400, "the request must have exactly one Host header (got " + hosts + ")");
        }
        List<String> origins = headers.get("Origin");
        String origin = origins == null || origins.isEmpty() ? null : origins.get(0);
        if (originCheck != null && !originCheck.test(origin)) {
            throw refuse(403, "the origin " + (origin == null ? "(none: not a browser)" : "'" + origin + "'")
                    + " is not allowed by this server's origin check");
        }
        String chosen = null;
        for (String offered : HttpHead.tokens(headers, "Sec-WebSocket-Protocol")) {
            if (subprotocols.contains(offered)) {
                chosen = offered;
                break;
            }
        }
        DeflateParameters deflate;
        try {
            deflate = DeflateNegotiation.accept(compression, ExtensionHeader.parse(headers.get("Sec-WebSocket-Extensions")));
        } catch (IllegalArgumentException malformed) {
            throw refuse(400, "the request's Sec-WebSocket-Extensions is malformed: " + malformed.getMessage());
        }
        StringBuilder r = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(HandshakeKeys.accept(keys.get(0))).append("\r\n");
        if (chosen != null) {
            r.append("Sec-WebSocket-Protocol: ").append(chosen).append("\r\n");
        }
        if (deflate != null) {
            r.append("Sec-WebSocket-Extensions: ").append(deflate.header()).append("\r\n");
        }
        return new Accepted(chosen, deflate, r.append("\r\n").toString());
    }

    private static WebSocketHandshakeException refuse(int status, String why) {
        return new WebSocketHandshakeException(status, Map.of(), why);
    }

    /** The HTTP response for a refused upgrade: the status, its headers, and the reason as plain text; the connection closes after it. */
    public static byte[] refusal(WebSocketHandshakeException e) {
        String reason = switch (e.status()) {
            case 403 -> "Forbidden";
            case 426 -> "Upgrade Required";
            default -> "Bad Request";
        };
        byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder r = new StringBuilder("HTTP/1.1 ").append(e.status() == 0 ? 400 : e.status()).append(' ').append(reason)
                .append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n");
        for (Map.Entry<String, List<String>> h : e.headers().entrySet()) {
            for (String v : h.getValue()) {
                r.append(h.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        byte[] head = r.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Subprotocol names, checked to be tokens (RFC 6455 section 4.1). */
    public static List<String> checkSubprotocols(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n == null || !ExtensionHeader.isToken(n)) {
                throw new IllegalArgumentException("subprotocol '" + n + "' is not an HTTP token (letters, digits, and !#$%&'*+-.^_`|~)");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }
}
