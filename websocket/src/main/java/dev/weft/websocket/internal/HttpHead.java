package dev.weft.websocket.internal;

import dev.weft.sockets.Connection;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The head of an HTTP/1.1 message as the client side of a WebSocket handshake needs it: the server's
 * response, read up to its empty line and no further (frames the server sends right after {@code 101}
 * stay in the buffer for the frame parser). Strict: no obs-fold, no bare LF, a size limit.
 *
 * @param startLine the status line
 * @param headers   field values by name, case-insensitive, in arrival order
 */
public record HttpHead(String startLine, Map<String, List<String>> headers) {
    /** The most a response head may take. */
    public static final int MAX_BYTES = 64 * 1024;

    /** A case-insensitive, ordered map for header fields. */
    public static Map<String, List<String>> newHeaders() {
        return new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A head read from a stream, and the bytes that came after it (read mode; frames the peer sent at once). */
    public record Read(HttpHead head, ByteBuffer after) {
    }

    /**
     * Reads a head from {@code stream}, and not a byte of what follows it further than one read took.
     *
     * @param what names the head in messages ("the server's handshake response")
     * @throws IOException if the stream ends first, the head is larger than {@link #MAX_BYTES}, or malformed
     */
    public static Read read(Connection stream, String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (true) {
            if (!buf.hasRemaining()) {
                if (buf.capacity() >= MAX_BYTES) {
                    throw new IOException(what + " is larger than " + MAX_BYTES + " bytes");
                }
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_BYTES, buf.capacity() * 2));
                bigger.put(buf.flip());
                buf = bigger;
            }
            int from = Math.max(0, buf.position() - 3);
            if (stream.read(buf) < 0) {
                throw new EOFException("the connection ended before the " + what + " was complete ("
                        + buf.position() + " bytes)");
            }
            int end = endOfHead(buf, from);
            if (end >= 0) {
                buf.flip();
                byte[] head = new byte[end];
                buf.get(head);
                return new Read(parse(new String(head, StandardCharsets.ISO_8859_1), what), buf.slice());
            }
        }
    }

    /** Where the head in {@code buf} (write mode) ends, after its CRLF CRLF, looking from {@code from}; -1 if it has not yet. */
    private static int endOfHead(ByteBuffer buf, int from) {
        for (int i = Math.max(3, from); i < buf.position(); i++) {
            if (buf.get(i) == '\n' && buf.get(i - 1) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a head's text (start line, fields, ending with an empty line). */
    static HttpHead parse(String text, String what) throws IOException {
        String[] lines = text.split("\r\n", -1);
        Map<String, List<String>> headers = newHeaders();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0
                    || Character.isWhitespace(line.charAt(0)) || !ExtensionHeader.isToken(line.substring(0, colon))) {
                throw new IOException(what + " has a malformed header line: '" + line + "'");
            }
            headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return new HttpHead(lines[0], Collections.unmodifiableMap(headers));
    }

    /** Whether the comma-separated field {@code name} has {@code token} (case-insensitive) among its values. */
    public static boolean hasToken(Map<String, List<String>> headers, String name, String token) {
        List<String> values = headers.get(name);
        if (values == null) {
            return false;
        }
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.trim().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** All comma-separated values of {@code name}, trimmed, empty ones dropped. */
    public static List<String> tokens(Map<String, List<String>> headers, String name) {
        List<String> out = new ArrayList<>();
        List<String> values = headers.get(name);
        if (values != null) {
            for (String v : values) {
                for (String t : v.split(",")) {
                    if (!t.isBlank()) {
                        out.add(t.trim());
                    }
                }
            }
        }
        return out;
    }
}
