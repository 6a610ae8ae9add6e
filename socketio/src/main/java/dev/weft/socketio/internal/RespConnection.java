package dev.weft.socketio.internal;

import dev.weft.sockets.TcpSocket;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis client on a Weft {@link TcpSocket} (RESP2): commands as arrays of bulk strings, and
 * replies read as String (simple and bulk), Long (integer), List (array) or null; an error reply is an
 * {@link IOException} with Redis's message. Enough for PUBLISH and SUBSCRIBE; blocking calls park
 * only the calling fiber.
 *
 * <p>Thread rule: the socket's hub; one fiber at a time.
 */
public final class RespConnection implements AutoCloseable {
    private final TcpSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String address;

    private RespConnection(TcpSocket socket, String address) {
        this.socket = socket;
        this.address = address;
        this.in = new BufferedInputStream(socket.inputStream(), 8192);
        this.out = socket.outputStream();
    }

    /** Connects within {@code timeout}. */
    public static RespConnection connect(String host, int port, Duration timeout) throws IOException {
        TcpSocket s = TcpSocket.connect(host, port, timeout);
        s.setNoDelay(true);
        return new RespConnection(s, host + ":" + port);
    }

    /** Every read and write times out after this (null: never). */
    public void timeout(Duration t) {
        socket.setTimeout(t);
    }

    /** Sends one command; does not read its reply. */
    public void send(byte[]... args) throws IOException {
        StringBuilder head = new StringBuilder().append('*').append(args.length).append("\r\n");
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(b.toByteArray());
        out.flush();
    }

    /** Sends a command of strings and reads its reply. */
    public Object call(String... args) throws IOException {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        send(bytes);
        return read();
    }

    /** The next reply. */
    public Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("redis " + address + " closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new IOException("redis " + address + " answered an error: " + line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(n);
                if (data.length < n || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("redis " + address + " closed the connection inside a reply");
                }
                yield new String(data, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                yield items;
            }
            default -> throw new IOException("redis " + address + " sent a reply of unknown type '" + (char) type + "'");
        };
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\r'; ) {
            if (c < 0) {
                throw new EOFException("redis " + address + " closed the connection inside a reply");
            }
            b.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("redis " + address + " sent a malformed line");
        }
        return b.toString();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "RespConnection(" + address + ")";
    }
}
