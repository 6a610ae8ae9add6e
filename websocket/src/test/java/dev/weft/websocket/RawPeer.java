package dev.weft.websocket;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.TcpSocket;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

/**
 * The other end for conformance tests, written independently of the code under test (no class of
 * the main sources): raw frames over a TcpSocket, built and parsed byte by byte, with the handshake
 * done by hand. As a client it masks its frames; as a server it does not. It sends whatever it is
 * told, broken frames included, in chops of any size (a yield between chops, so the other side sees
 * each part before the next), and reads frames back with a deadline.
 */
final class RawPeer implements AutoCloseable {
    /** A frame as received. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A close frame's code, -1 if it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        @Override
        public String toString() {
            return "Frame(op " + opcode + (fin ? "" : ", not fin") + (rsv != 0 ? ", rsv " + rsv : "") + (masked ? ", masked" : "")
                    + ", " + payload.length + " bytes" + (payload.length <= 32 ? " " + HexFormat.of().formatHex(payload) : "") + ")";
        }
    }

    private static final Random RANDOM = new Random(42);
    final TcpSocket socket;
    private final boolean client;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    private RawPeer(TcpSocket socket, boolean client, ByteBuffer leftover) {
        this.socket = socket;
        this.client = client;
        if (leftover != null) {
            in.compact().put(leftover).flip();
        }
    }

    /** Connects to 127.0.0.1:{@code port} and performs a client handshake by hand; {@code extraHeaders} are CRLF-terminated lines. */
    static RawPeer connect(int port, String path, String extraHeaders) throws IOException {
        TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5));
        s.setNoDelay(true);
        String key = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
        s.writeAll(request.getBytes(StandardCharsets.ISO_8859_1));
        RawPeer p = new RawPeer(s, true, null);
        String head = p.readHead(Duration.ofSeconds(10));
        if (!head.startsWith("HTTP/1.1 101") || !head.contains(accept(key))) {
            s.close();
            throw new IOException("the server refused the upgrade: " + head);
        }
        return p;
    }

    /** Reads an upgrade request on an accepted socket and answers 101 by hand; {@code extraHeaders} go into the answer. */
    static RawPeer accept(TcpSocket s, String extraHeaders) throws IOException {
        s.setNoDelay(true);
        RawPeer p = new RawPeer(s, false, null);
        String head = p.readHead(Duration.ofSeconds(10));
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("not an upgrade request: " + head);
        }
        s.writeAll(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + accept(key) + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        p.lastRequest = head;
        return p;
    }

    /** The request head {@link #accept} read. */
    String lastRequest;

    static String accept(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private String readHead(Duration timeout) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("\r\n\r\n") < 0) {
            sb.append((char) (readByte(timeout) & 0xff));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- sending

    /** A frame: {@code fin}, {@code rsv} (0–7), {@code opcode}, {@code payload}, written in chops of {@code chop} bytes (0: one write). */
    void frame(boolean fin, int rsv, int opcode, byte[] payload, int chop) throws IOException {
        raw(encode(fin, rsv, opcode, payload), chop);
    }

    void frame(int opcode, byte[] payload) throws IOException {
        frame(true, 0, opcode, payload, 0);
    }

    void text(String s) throws IOException {
        frame(1, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with {@code code} (-1: no payload) and raw reason bytes. */
    void close(int code, byte[] reason) throws IOException {
        byte[] p = code < 0 ? new byte[0] : new byte[2 + reason.length];
        if (code >= 0) {
            p[0] = (byte) (code >>> 8);
            p[1] = (byte) code;
            System.arraycopy(reason, 0, p, 2, reason.length);
        }
        frame(8, p);
    }

    /** The bytes of a frame as this side sends it (masked when it is the client). */
    byte[] encode(boolean fin, int rsv, int opcode, byte[] payload) {
        int len = payload.length;
        int ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
        ByteBuffer b = ByteBuffer.allocate(2 + ext + (client ? 4 : 0) + len);
        b.put((byte) ((fin ? 0x80 : 0) | (rsv << 4) | opcode));
        int m = client ? 0x80 : 0;
        if (ext == 0) {
            b.put((byte) (m | len));
        } else if (ext == 2) {
            b.put((byte) (m | 126)).putShort((short) len);
        } else {
            b.put((byte) (m | 127)).putLong(len);
        }
        byte[] key = new byte[4];
        if (client) {
            RANDOM.nextBytes(key);
            b.put(key);
        }
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ key[i & 3]));
        }
        return b.array();
    }

    /** Writes {@code bytes} as they are, in chops of {@code chop} (0: at once), letting the other side run between chops. */
    void raw(byte[] bytes, int chop) throws IOException {
        if (chop <= 0 || chop >= bytes.length) {
            socket.writeAll(bytes);
            return;
        }
        for (int i = 0; i < bytes.length; i += chop) {
            socket.writeAll(ByteBuffer.wrap(bytes, i, Math.min(chop, bytes.length - i)));
            Fiber.yield();
        }
    }

    // ---------------------------------------------------------------- receiving

    /** The next frame, within {@code timeout}; null at end of stream; FiberTimeoutException if none arrived in time. */
    Frame read(Duration timeout) throws IOException {
        try (Timeout t = Timeout.after(timeout)) {
            return readFrame();
        }
    }

    private Frame readFrame() throws IOException {
        int b0;
        try {
            b0 = readByte(null) & 0xff;
        } catch (EOFException end) {
            return null;
        }
        int b1 = readByte(null) & 0xff;
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((readByte(null) & 0xff) << 8) | (readByte(null) & 0xff);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | (readByte(null) & 0xff);
            }
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] key = new byte[4];
        if (masked) {
            for (int i = 0; i < 4; i++) {
                key[i] = readByte(null);
            }
        }
        byte[] payload = new byte[(int) len];
        int at = 0;
        while (at < len) {
            if (!in.hasRemaining()) {
                fill();
            }
            int n = Math.min(in.remaining(), (int) len - at);
            in.get(payload, at, n);
            at += n;
        }
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0f, masked, payload);
    }

    private byte readByte(Duration timeout) throws IOException {
        if (!in.hasRemaining()) {
            if (timeout == null) {
                fill();
            } else {
                try (Timeout t = Timeout.after(timeout)) {
                    fill();
                }
            }
        }
        return in.get();
    }

    private void fill() throws IOException {
        in.clear();
        int n;
        try {
            n = socket.read(in);
        } finally {
            in.flip();
        }
        if (n < 0) {
            throw new EOFException("end of stream");
        }
    }

    /** Whether the other side closed the TCP connection within {@code timeout} (frames before the end are skipped). */
    boolean closedWithin(Duration timeout) throws IOException {
        try {
            while (read(timeout) != null) {
                // skip
            }
            return true;
        } catch (FiberTimeoutException notYet) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
