package dev.weft.websocket.internal;

import dev.weft.sockets.Connection;
import dev.weft.websocket.PerMessageDeflate;
import dev.weft.websocket.WebSocketHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The client's side of the opening handshake (RFC 6455 section 4.1): the upgrade request, then the
 * server's answer checked to the letter (101, {@code Upgrade}, {@code Connection}, the accept key, a
 * subprotocol and extensions that were offered). Redirects are reported, not followed.
 */
public final class ClientHandshake {
    /** What the server agreed to, and the bytes it sent after its answer (frames already). */
    public record Result(String subprotocol, DeflateParameters deflate, String extensions, HttpHead response, ByteBuffer after) {
    }

    private ClientHandshake() {
    }

    /** Sends the request for {@code uri} over {@code stream} and checks the answer. Blocks the calling fiber. */
    public static Result perform(Connection stream, URI uri, List<String> subprotocols, Map<String, List<String>> extraHeaders,
                                 PerMessageDeflate compression) throws IOException {
        String key = HandshakeKeys.newKey();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort();
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        StringBuilder r = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host)
                .append(port < 0 || port == (secure ? 443 : 80) ? "" : ":" + port)
                .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key)
                .append("\r\nSec-WebSocket-Version: 13\r\n");
        if (!subprotocols.isEmpty()) {
            r.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
        }
        if (compression.isEnabled()) {
            r.append("Sec-WebSocket-Extensions: ").append(DeflateNegotiation.offer(compression)).append("\r\n");
        }
        for (Map.Entry<String, List<String>> h : extraHeaders.entrySet()) {
            for (String v : h.getValue()) {
                r.append(h.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        ByteBuffer request = ByteBuffer.wrap(r.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        while (request.hasRemaining()) {
            stream.write(request);
        }
        HttpHead.Read read = HttpHead.read(stream, "server's handshake response");
        HttpHead head = read.head();
        String[] status = head.startLine().split(" ", 3);
        int code = status.length >= 2 && status[0].startsWith("HTTP/1.") && status[1].matches("\\d{3}") ? Integer.parseInt(status[1]) : -1;
        if (code < 0) {
            throw new WebSocketHandshakeException(0, head.headers(), "the server at " + uri + " did not answer with HTTP/1.1: '"
                    + head.startLine() + "'");
        }
        if (code != 101) {
            String location = head.first("Location");
            throw new WebSocketHandshakeException(code, head.headers(), "the server at " + uri + " answered '" + head.startLine()
                    + "' instead of 101 Switching Protocols" + (code >= 300 && code < 400 && location != null
                    ? " (a redirect to " + location + "; redirects are not followed: connect to that URI if you trust it)" : "")
                    + body(read.after()));
        }
        if (!HttpHead.hasToken(head.headers(), "Upgrade", "websocket")) {
            throw broken(uri, head, "has no 'Upgrade: websocket' header");
        }
        if (!HttpHead.hasToken(head.headers(), "Connection", "upgrade")) {
            throw broken(uri, head, "has no 'Connection: Upgrade' header");
        }
        String accept = head.first("Sec-WebSocket-Accept");
        if (!HandshakeKeys.accept(key).equals(accept == null ? null : accept.trim())) {
            throw broken(uri, head, "has Sec-WebSocket-Accept " + accept + ", not the answer to our key ("
                    + HandshakeKeys.accept(key) + ")");
        }
        List<String> protocols = HttpHead.tokens(head.headers(), "Sec-WebSocket-Protocol");
        String subprotocol = null;
        if (!protocols.isEmpty()) {
            if (protocols.size() > 1 || !subprotocols.contains(protocols.get(0))) {
                throw broken(uri, head, "chose subprotocol " + protocols + ", which we did not offer (offered: " + subprotocols + ")");
            }
            subprotocol = protocols.get(0);
        }
        DeflateParameters deflate;
        List<String> extensions = head.headers().get("Sec-WebSocket-Extensions");
        try {
            deflate = DeflateNegotiation.check(compression, ExtensionHeader.parse(extensions));
        } catch (IllegalArgumentException e) {
            throw broken(uri, head, "has unacceptable extensions: " + e.getMessage());
        }
        return new Result(subprotocol, deflate, extensions == null ? null : String.join(", ", extensions), head, read.after());
    }

    private static WebSocketHandshakeException broken(URI uri, HttpHead head, String why) {
        return new WebSocketHandshakeException(101, head.headers(), "the server at " + uri + " answered 101, but its answer "
                + why + " (RFC 6455 section 4.1); the connection was closed");
    }

    /** The start of a refusal's body, for the message. */
    private static String body(ByteBuffer after) {
        if (!after.hasRemaining()) {
            return "";
        }
        byte[] b = new byte[Math.min(after.remaining(), 300)];
        after.duplicate().get(b);
        return ": " + new String(b, StandardCharsets.UTF_8).strip();
    }
}
