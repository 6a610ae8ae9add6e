package dev.weft.socketio.internal;

import dev.weft.websocket.Message;
import dev.weft.websocket.PreparedMessage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Engine.IO v4 packets on the HTTP long-polling transport: a payload is packets separated by the
 * record separator (0x1e); a text packet is its type digit and data, a binary message is {@code b}
 * and its bytes in base64. In memory a packet is a {@code String} (type digit first) or a {@code
 * byte[]} (a binary message, type 4); on its way out also a {@link PreparedMessage} of either (a
 * broadcast's packet, its WebSocket frame made once for every recipient).
 */
public final class EnginePayload {
    /** The separator between packets of a polling payload. */
    public static final char SEPARATOR = '\u001e';

    private EnginePayload() {
    }

    /**
     * The packets of a payload.
     *
     * @throws IllegalArgumentException for an empty packet, an unknown type or bad base64
     */
    public static List<Object> decode(String payload) {
        List<Object> packets = new ArrayList<>();
        int start = 0;
        while (start <= payload.length()) {
            int end = payload.indexOf(SEPARATOR, start);
            if (end < 0) {
                end = payload.length();
            }
            packets.add(decodeOne(payload.substring(start, end)));
            start = end + 1;
        }
        return packets;
    }

    /** One packet of a polling payload or a WebSocket text frame. */
    public static Object decodeOne(String packet) {
        if (packet.isEmpty()) {
            throw new IllegalArgumentException("an empty Engine.IO packet");
        }
        char type = packet.charAt(0);
        if (type == 'b') {
            try {
                return Base64.getDecoder().decode(packet.substring(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a binary Engine.IO packet whose base64 is malformed: " + e.getMessage());
            }
        }
        if (type < '0' || type > '6') {
            throw new IllegalArgumentException("an Engine.IO packet of unknown type '" + type + "'");
        }
        return packet;
    }

    /** The polling payload of {@code packets} (Strings, byte arrays, prepared messages of either). */
    public static String encode(List<Object> packets) {
        StringBuilder b = new StringBuilder();
        for (Object packet : packets) {
            if (!b.isEmpty()) {
                b.append(SEPARATOR);
            }
            Object p = packet instanceof PreparedMessage m ? plain(m) : packet;
            if (p instanceof byte[] bytes) {
                b.append('b').append(Base64.getEncoder().encodeToString(bytes));
            } else {
                b.append((String) p);
            }
        }
        return b.toString();
    }

    /** {@code packet} as a WebSocket message: as it is if prepared already, else prepared now (for this one connection). */
    public static PreparedMessage prepared(Object packet) {
        return switch (packet) {
            case PreparedMessage m -> m;
            case byte[] bytes -> PreparedMessage.binary(bytes);
            default -> PreparedMessage.text((String) packet);
        };
    }

    /** The String or byte[] of a prepared packet. */
    public static Object plain(PreparedMessage packet) {
        return switch (packet.message()) {
            case Message.Text t -> t.text();
            case Message.Binary b -> b.data();
        };
    }
}
