package dev.weft.websocket;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A whole WebSocket message, as {@link WebSocket#receive()} returns it (the frames of a fragmented
 * message joined, a compressed one decompressed): {@link Text} or {@link Binary}.
 *
 * <pre>{@code
 * switch (ws.receive()) {
 *     case Message.Text t -> System.out.println(t.text());
 *     case Message.Binary b -> store(b.data());
 * }
 * }</pre>
 */
public sealed interface Message permits Message.Text, Message.Binary {
    /** Whether this is a {@link Text} message. */
    default boolean isText() {
        return this instanceof Text;
    }

    /** The payload's size in bytes (a text message's UTF-8 bytes). */
    int size();

    /** A text message (valid UTF-8 on the wire, checked). */
    record Text(String text) implements Message {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public int size() {
            return text.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public String toString() {
            return "Text[" + (text.length() <= 60 ? text : text.substring(0, 60) + "... (" + text.length() + " chars)") + "]";
        }
    }

    /**
     * A binary message. {@link #data()} is the message's own array (not copied): a received message's
     * array belongs to whoever received it; {@link WebSocket#send(Message)} sends its bytes as they are
     * when it is called.
     */
    record Binary(byte[] data) implements Message {
        public Binary {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int size() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && Arrays.equals(data, b.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Binary[" + data.length + " bytes]";
        }
    }
}
