package dev.weft.websocket;

import dev.weft.websocket.internal.PreparedFrame;
import java.util.Objects;

/**
 * A message encoded once to be sent on many connections (a broadcast): its UTF-8 and the frame a
 * server sends for it (final, unmasked, uncompressed) are made here, once; {@link WebSocket#send(java.util.List)}
 * then writes that very frame on every server connection that did not agree on permessage-deflate,
 * without encoding anything per connection. A client connection (it masks every frame with a fresh
 * key) or a compressed one encodes the message itself, as {@link WebSocket#send(String)} would: the
 * peer gets the same message either way.
 *
 * <pre>{@code
 * PreparedMessage news = PreparedMessage.text("{\"price\":42}");
 * for (WebSocket member : room) {      // each on its own hub's fiber, as every send
 *     member.send(List.of(news));
 * }
 * }</pre>
 *
 * <p>Immutable (a binary message's bytes are copied once, here); any thread, and any number of
 * connections on any hubs at once.
 */
public final class PreparedMessage {
    private final Message message;
    private final PreparedFrame frame;

    private PreparedMessage(Message message, PreparedFrame frame) {
        this.message = message;
        this.frame = frame;
    }

    /**
     * A text message of {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} has an unpaired surrogate (it is not Unicode text)
     */
    public static PreparedMessage text(String text) {
        Objects.requireNonNull(text, "text");
        return new PreparedMessage(new Message.Text(text), PreparedFrame.of(true, WebSocket.utf8(text)));
    }

    /** A binary message of a copy of {@code data}. */
    public static PreparedMessage binary(byte[] data) {
        byte[] copy = data.clone();
        return new PreparedMessage(new Message.Binary(copy), PreparedFrame.of(false, copy));
    }

    /**
     * The message as {@link WebSocket#receive()} would return it. A {@link Message.Binary}'s array is
     * this prepared message's own: do not change it.
     */
    public Message message() {
        return message;
    }

    PreparedFrame frame() {
        return frame;
    }

    @Override
    public String toString() {
        return "Prepared" + message;
    }
}
