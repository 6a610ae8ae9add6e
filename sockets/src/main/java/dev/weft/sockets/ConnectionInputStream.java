package dev.weft.sockets;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * An {@link InputStream} over a channel whose reads park the calling fiber: {@link
 * Connection#inputStream()} for {@link TcpSocket} and {@code TlsSocket}, and the stream of {@code
 * bridges}' {@code FiberSocket}. The one such adapter in Weft.
 *
 * <p>Thread rule and blocking: the channel's ({@link Connection}: fibers of its hub; a read parks
 * until at least one byte is there, the timeout passes, the fiber is killed or the connection is
 * closed; an interrupted read took nothing). {@link #available()} is {@link Connection#available()}
 * for a connection, 0 for another channel, and throws {@link SocketException} once the channel is
 * closed, as the JDK's socket streams do. {@link #close()} closes the channel.
 */
public final class ConnectionInputStream extends InputStream {
    private final ReadableByteChannel channel;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    /** A stream reading {@code channel}; nothing is buffered here. */
    public ConnectionInputStream(ReadableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public int read() throws IOException {
        int n;
        do {
            n = channel.read(one.clear());
        } while (n == 0);
        return n < 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return channel.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int available() throws IOException {
        if (!channel.isOpen()) {
            throw new SocketException(channel + " is closed");
        }
        return channel instanceof Connection c ? c.available() : 0;
    }

    /** Closes the channel (the whole connection), as the JDK's socket streams do. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "InputStream of " + channel;
    }
}
