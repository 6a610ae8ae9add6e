package dev.weft.socketio.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Socket.IO v5 packet: {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]}, with binary
 * arguments sent as attachments after it and {@code {"_placeholder":true,"num":n}} in their place.
 * JSON values are Jackson's plain mapping: Map, List, String, Number, Boolean, null; binary values
 * are {@code byte[]}.
 *
 * @param type        0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, 5 BINARY_EVENT, 6 BINARY_ACK
 * @param namespace   {@code /} or the namespace
 * @param ackId       the acknowledgement id, or -1
 * @param data        the payload (a List for events and acks, a Map for connect), or null
 * @param attachments binary attachments still to come (decoding), or 0
 */
public record SioPacket(int type, String namespace, long ackId, Object data, int attachments) {
    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses the text part of a packet.
     *
     * @throws IllegalArgumentException if it is not a valid packet (the client then is disconnected with "parse error")
     */
    public static SioPacket parse(String s) {
        if (s.isEmpty() || s.charAt(0) < '0' || s.charAt(0) > '6') {
            throw new IllegalArgumentException("a Socket.IO packet of unknown type: " + abbreviate(s));
        }
        int type = s.charAt(0) - '0';
        int i = 1;
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int dash = s.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 6) {
                throw new IllegalArgumentException("a binary Socket.IO packet without its attachment count: " + abbreviate(s));
            }
            attachments = digits(s, i, dash);
            i = dash + 1;
        }
        String nsp = "/";
        if (i < s.length() && s.charAt(i) == '/') {
            int comma = s.indexOf(',', i);
            int end = comma < 0 ? s.length() : comma;
            nsp = s.substring(i, end);
            i = comma < 0 ? end : comma + 1;
        }
        long ackId = -1;
        int digitsStart = i;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && i - digitsStart < 15) {
            i++;
        }
        if (i > digitsStart) {
            ackId = Long.parseLong(s.substring(digitsStart, i));
        }
        Object data = null;
        if (i < s.length()) {
            try {
                data = JSON.readValue(s.substring(i), Object.class);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("a Socket.IO packet whose JSON is malformed: " + e.getOriginalMessage());
            }
        }
        SioPacket p = new SioPacket(type, nsp, ackId, data, attachments);
        p.check();
        return p;
    }

    private void check() {
        boolean ok = switch (type) {
            case CONNECT -> data == null || data instanceof Map;
            case DISCONNECT -> data == null;
            case EVENT, BINARY_EVENT -> data instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String;
            case ACK, BINARY_ACK -> data instanceof List && ackId >= 0;
            default -> false; // CONNECT_ERROR comes only from servers
        };
        if (!ok) {
            throw new IllegalArgumentException("an invalid Socket.IO packet of type " + type + " (payload " + abbreviate(String.valueOf(data)) + ")");
        }
    }

    private static int digits(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Character.isDigit(s.charAt(k))) {
                throw new IllegalArgumentException("a Socket.IO attachment count that is not a number: " + abbreviate(s));
            }
        }
        return Integer.parseInt(s.substring(from, to));
    }

    /** This packet with its placeholders replaced by {@code buffers}. */
    public SioPacket withAttachments(List<byte[]> buffers) {
        return new SioPacket(type == BINARY_EVENT ? EVENT : type == BINARY_ACK ? ACK : type, namespace, ackId,
                fill(data, buffers), 0);
    }

    private static Object fill(Object v, List<byte[]> buffers) {
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(fill(o, buffers));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            if (Boolean.TRUE.equals(m.get("_placeholder")) && m.get("num") instanceof Integer n) {
                if (n < 0 || n >= buffers.size()) {
                    throw new IllegalArgumentException("a placeholder for attachment " + n + " of " + buffers.size());
                }
                return buffers.get(n);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put((String) e.getKey(), fill(e.getValue(), buffers));
            }
            return out;
        }
        return v;
    }

    /**
     * The Engine.IO messages of an outgoing packet: its text (with {@code 4}, the Engine.IO message
     * type, in front) and then its attachments; byte arrays in {@code data} become attachments.
     *
     * @throws IllegalArgumentException if {@code data} holds something Jackson cannot write
     */
    public static List<Object> encode(int type, String namespace, long ackId, Object data) {
        List<Object> attachments = new ArrayList<>(0);
        Object json = data == null ? null : extract(data, attachments);
        if (!attachments.isEmpty()) {
            type = type == EVENT ? BINARY_EVENT : type == ACK ? BINARY_ACK : type;
        }
        StringBuilder b = new StringBuilder(64).append('4').append(type);
        if (!attachments.isEmpty()) {
            b.append(attachments.size()).append('-');
        }
        if (!"/".equals(namespace)) {
            b.append(namespace).append(',');
        }
        if (ackId >= 0) {
            b.append(ackId);
        }
        if (json != null) {
            try {
                b.append(JSON.writeValueAsString(json));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
            }
        }
        attachments.add(0, b.toString());
        return attachments;
    }

    private static Object extract(Object v, List<Object> attachments) {
        if (v instanceof byte[] bytes) {
            Map<String, Object> placeholder = new LinkedHashMap<>();
            placeholder.put("_placeholder", true);
            placeholder.put("num", attachments.size());
            attachments.add(bytes);
            return placeholder;
        }
        if (v instanceof java.nio.ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return extract(bytes, attachments);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(extract(o, attachments));
            }
            return out;
        }
        if (v instanceof Object[] array) {
            return extract(java.util.Arrays.asList(array), attachments);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(e.getKey(), extract(e.getValue(), attachments));
            }
            return out;
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 80) + "...' (" + s.length() + " chars)";
    }
}
