package dev.weft.sockets;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * An {@link OutputStream} over a channel whose writes park the calling fiber: {@link
 * Connection#outputStream()} for {@link TcpSocket} and {@code TlsSocket}, and the stream of {@code
 * bridges}' {@code FiberSocket}. The one such adapter in Weft.
 *
 * <p>Every write returns once all of it was taken by the channel ({@link Connection#writeAll}).
 * Nothing is buffered, so {@link #flush()} does nothing; wrap the stream in a {@link
 * java.io.BufferedOutputStream} when writing many small pieces (over TLS every piece costs a record
 * and a send). A write interrupted by a timeout, a kill or a {@code Timeout} does not say how much of
 * it went out: code that must resume mid-message writes to the channel itself. {@link #close()}
 * closes the channel. Thread rule: the channel's.
 */
public final class ConnectionOutputStream extends OutputStream {
    private final WritableByteChannel channel;

    /** A stream writing to {@code channel}. */
    public ConnectionOutputStream(WritableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        if (channel instanceof Connection c) {
            c.writeAll(src);
            return;
        }
        while (src.hasRemaining()) {
            channel.write(src);
        }
    }

    /** Closes the channel (the whole connection), as the JDK's socket streams do. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "OutputStream of " + channel;
    }
}
