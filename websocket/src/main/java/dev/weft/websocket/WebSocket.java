package dev.weft.websocket;

import dev.weft.websocket.internal.Endpoint;
import dev.weft.websocket.internal.PreparedFrame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLSession;

/**
 * A WebSocket connection (RFC 6455) for fibers, client or server side, with blocking-style calls:
 * {@link #receive()} returns the next whole message, {@link #send(String)} sends one, {@link
 * #close(int, String)} performs the closing handshake. Each blocking call parks only the calling
 * fiber. Pings from the peer are answered while a fiber is in {@code receive()}.
 *
 * <pre>{@code
 * try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:8080/echo"))) {
 *     ws.send("hello");
 *     Message reply = ws.receive();          // Message.Text or Message.Binary
 * }                                          // close(1000, ""): the closing handshake, at most closeTimeout
 * }</pre>
 *
 * <p>Made by {@link #connect(URI)} / {@link WebSocketClient#connect(URI)} (client) and {@link
 * WebSocketServer#accept} (server). It owns its socket: when the connection ends, the socket is closed.
 *
 * <p><b>Thread rule:</b> fibers of the hub that owns the socket. One fiber receives and one fiber
 * sends at a time (they may be different fibers): a second concurrent receiver (or sender) gets an
 * {@link IllegalStateException} naming the first, as {@code TcpSocket} does. {@link #close(int,
 * String)} may be called by any fiber of the hub at any time, also while others receive and send.
 *
 * <p><b>The end of the connection</b> is an exception, as the end of a Python {@code websockets}
 * connection is ({@code ConnectionClosed}), and where the JDK's {@code java.net.http.WebSocket},
 * Jetty and JSR 356 call {@code onClose}: {@link #receive()} throws {@link WebSocketClosedException}
 * carrying the close code and reason once the peer's close frame arrived (after the answer was sent
 * and the TCP connection closed), when the connection failed, or when it ended without a close frame
 * (1006). Every later call throws it again. {@link WebSocketClosedException#isNormal()} tells an
 * orderly end (1000, 1001, no code) from a failure.
 *
 * <p><b>Failures the peer causes</b> fail the connection as RFC 6455 says (a close frame with the
 * code, then the TCP close) and {@code receive()} throws with that code: 1002 for a protocol error
 * (an unmasked frame from a client, a masked one from a server, reserved bits or opcodes, a fragmented
 * or oversized control frame, a continuation out of place, an invalid close code), 1007 for text that
 * is not UTF-8 (caught at the first bad byte, also across fragments and inside compressed messages),
 * 1009 for a message over {@link WebSocketOptions#maxMessageSize()} (caught at its header: nothing is
 * allocated for it), 1008 for a message that does not complete within {@link
 * WebSocketOptions#messageTimeout()} (one byte a second). Keep-alive: after {@link
 * WebSocketOptions#pingInterval()} of silence {@code receive()} sends a ping; when nothing arrives
 * within {@link WebSocketOptions#pingTimeout()}, the connection is dropped and it throws with 1006.
 *
 * <p><b>Timeouts and kills lose nothing.</b> A {@link dev.weft.fibers.Timeout} or a kill that
 * interrupts {@code receive()} leaves the connection usable: the part of a message that had arrived
 * is kept, and the next {@code receive()} goes on where this one stopped. {@code send} commits the
 * whole message before it waits: a Timeout or kill while it waits for the peer to take the bytes
 * does not withdraw it; the rest goes out before anything sent later (the next send, ping, automatic
 * pong or close writes it), and the caller may reuse its buffer at once. So a send that threw a
 * Timeout must not be repeated (the message would go twice); messages sent after it wait behind it. {@code close} interrupted by
 * a kill or an outer Timeout drops the connection: it is then closed.
 *
 * <p><b>The socket under it</b> is a {@code TcpSocket} or a {@code TlsSocket} today, behind an
 * internal byte-stream interface; when {@code sockets} gets its public connection contract (issue
 * 27), any connection will do.
 */
public final class WebSocket implements AutoCloseable {
    private final Endpoint endpoint;
    private final String subprotocol;
    private final String extensions;
    private final Map<String, List<String>> handshakeHeaders;
    private final String target;

    WebSocket(Endpoint endpoint, String subprotocol, String extensions, Map<String, List<String>> handshakeHeaders,
              String target) {
        this.endpoint = endpoint;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
        this.handshakeHeaders = handshakeHeaders;
        this.target = target;
    }

    /**
     * Opens a client connection with {@link WebSocketClient#defaults()} (10 s connect timeout, the
     * JDK's default TLS context for {@code wss://}). Blocks the calling fiber; see {@link
     * WebSocketClient#connect(URI)}.
     */
    public static WebSocket connect(URI uri) throws IOException {
        return WebSocketClient.defaults().connect(uri);
    }

    /** Opens a client connection with {@code client}'s settings; see {@link WebSocketClient#connect(URI)}. */
    public static WebSocket connect(URI uri, WebSocketClient client) throws IOException {
        return client.connect(uri);
    }

    /**
     * Returns the next whole message: the frames of a fragmented message joined, a compressed one
     * decompressed, a text message checked to be UTF-8. Pings that arrive meanwhile are answered,
     * pongs noted. Blocks the calling fiber until one of these happens: a message is complete (it is
     * returned); the connection ends ({@link WebSocketClosedException}); the fiber is killed or an
     * enclosing {@link dev.weft.fibers.Timeout} expires (the connection stays usable and what had
     * arrived is kept for the next call).
     *
     * @throws WebSocketClosedException once the connection is closed (see the class comment), with its code and reason
     * @throws IllegalStateException if another fiber is receiving on this connection now
     */
    public Message receive() throws IOException {
        return endpoint.receive();
    }

    /**
     * Sends a text message. Blocks the calling fiber until the peer's side took every byte (a kill or
     * Timeout meanwhile does not withdraw it; see the class comment).
     *
     * @throws WebSocketClosedException if the connection is closed or closing
     * @throws IllegalArgumentException if {@code text} has an unpaired surrogate (it is not Unicode text)
     * @throws IllegalStateException if another fiber is sending on this connection now
     */
    public void send(String text) throws IOException {
        endpoint.sendData(true, ByteBuffer.wrap(utf8(text)), true);
    }

    /** Sends a binary message of {@code data} (used as it is during the call; see {@link #send(String)}). */
    public void send(byte[] data) throws IOException {
        endpoint.sendData(false, ByteBuffer.wrap(data), false);
    }

    /** Sends a binary message of {@code data}'s remaining bytes (its position is not moved; see {@link #send(String)}). */
    public void send(ByteBuffer data) throws IOException {
        endpoint.sendData(false, data.duplicate(), false);
    }

    /**
     * Sends {@code messages} in order, each a message of its own, committed together: on a server
     * connection without permessage-deflate each goes as the frame it was prepared with (nothing is
     * encoded per connection), and frames that together are small go out in one write (see {@link
     * PreparedMessage}). Blocks as {@link #send(String)}: until the peer's side took every byte; a kill
     * or Timeout meanwhile withdraws none of them.
     *
     * @throws WebSocketClosedException if the connection is closed or closing (none is sent)
     * @throws IllegalStateException if another fiber is sending on this connection now
     */
    public void send(List<PreparedMessage> messages) throws IOException {
        List<PreparedFrame> frames = new ArrayList<>(messages.size());
        for (PreparedMessage m : messages) {
            frames.add(m.frame());
        }
        endpoint.sendPrepared(frames);
    }

    /** Sends {@code message} as it is: text as text, binary as binary (an echo is {@code ws.send(ws.receive())}). */
    public void send(Message message) throws IOException {
        switch (Objects.requireNonNull(message, "message")) {
            case Message.Text t -> send(t.text());
            case Message.Binary b -> send(b.data());
        }
    }

    /**
     * Sends a ping with {@code payload} (at most 125 bytes). The peer answers with a pong, which
     * {@code receive()} takes in (a connection's liveness is kept by the keep-alive settings; this is
     * for protocols that ping on their own). Blocks as {@link #send(String)}.
     */
    public void sendPing(byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes, not " + payload.length);
        }
        endpoint.sendControl(true, payload);
    }

    /**
     * Starts the closing handshake and waits for it: sends a close frame with {@code code} and {@code
     * reason}, then waits until the peer's close frame arrives and the TCP connection ends, at most
     * {@link WebSocketOptions#closeTimeout()}; then the connection is closed either way (after the
     * limit, dropped). While another fiber is in {@code receive()}, that fiber reads the peer's answer
     * (data messages that arrive before it are still returned to it) and then throws {@link
     * WebSocketClosedException}; whenever no fiber is in {@code receive()} (also when the receiver took a
     * message and did not call again), this call reads, dropping data messages, and a {@code receive()}
     * called meanwhile waits for the end and throws {@link WebSocketClosedException}. Returns at once if the
     * connection is already closed. Never throws an {@link IOException}: there is nothing to do about a
     * peer that is gone. A kill or an outer Timeout drops the connection and propagates.
     *
     * @param code   a code valid on the wire: 1000–1003, 1007–1014, 3000–4999 ({@link CloseCodes})
     * @param reason at most 123 bytes of UTF-8 ("" for none)
     * @throws IllegalArgumentException for another code or a longer reason
     */
    public void close(int code, String reason) {
        if (!CloseCodes.isValidOnTheWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent: use 1000-1003, 1007-1014 or"
                    + " 3000-4999 (1005, 1006 and 1015 only report what happened; see CloseCodes)");
        }
        byte[] r = utf8(Objects.requireNonNull(reason, "reason"));
        if (r.length > 123) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes of UTF-8, not " + r.length);
        }
        endpoint.close(code, r);
    }

    /** {@link #close(int, String)} with 1000 (normal closure) and no reason. */
    @Override
    public void close() {
        close(CloseCodes.NORMAL, "");
    }

    /** Whether the connection is open: no close frame was sent or received and it has not failed. */
    public boolean isOpen() {
        return endpoint.isOpen();
    }

    /** How the connection ended ({@link WebSocketClosedException#code()}, reason, who), or null while it is open or closing. */
    public WebSocketClosedException closeStatus() {
        return endpoint.closeStatus();
    }

    /** The subprotocol the server chose, or null for none. */
    public String subprotocol() {
        return subprotocol;
    }

    /** The agreed {@code Sec-WebSocket-Extensions} ({@code "permessage-deflate; ..."}), or null for none. */
    public String extensions() {
        return extensions;
    }

    /** Whether permessage-deflate was agreed (messages this side sends are compressed). */
    public boolean isCompressed() {
        return endpoint.compressed();
    }

    /**
     * The other side's handshake headers, case-insensitive: the server's response headers on a client,
     * the client's request headers (cookies, {@code Origin}, {@code Authorization}) on a server.
     */
    public Map<String, List<String>> handshakeHeaders() {
        return handshakeHeaders;
    }

    /** The URI connected to (client), or the request target (server). */
    public String target() {
        return target;
    }

    /** Whether this is the client side. */
    public boolean isClient() {
        return endpoint.isClient();
    }

    /** The local address, or null once the socket no longer knows it. */
    public InetSocketAddress localAddress() {
        try {
            return endpoint.stream().localAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** The peer's address, or null once the socket no longer knows it. */
    public InetSocketAddress remoteAddress() {
        try {
            return endpoint.stream().remoteAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** The TLS session of a {@code wss} connection (protocol, cipher suite, peer certificates), null for plain TCP. */
    public SSLSession sslSession() {
        return endpoint.stream().session();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }

    /** {@code text} in UTF-8; an unpaired surrogate is refused rather than sent as '?'. */
    static byte[] utf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException("text has an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase()
                            + ") at index " + i + ": it cannot be encoded as UTF-8");
                }
                i++;
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
