package dev.weft.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket, connected or not. See {@link IoHandle} for the thread rule and
 * readiness protocol. Connected, an ICMP port-unreachable error for an earlier datagram is a
 * {@link java.net.PortUnreachableException} naming the peer from the next receive or send, on
 * every backend; a bind failure is a {@link java.net.BindException} naming the address
 * ({@link SocketErrors}).
 */
public interface DatagramHandle extends IoHandle {

    /**
     * Sends one datagram from {@code src} to {@code target} (null: the connected peer).
     *
     * @return bytes sent, or 0 if it would block
     */
    int send(ByteBuffer src, InetSocketAddress target) throws IOException;

    /**
     * Receives one datagram into {@code dst}; bytes beyond its remaining space are discarded.
     *
     * @return the sender, or null if nothing is pending (would block)
     */
    InetSocketAddress receive(ByteBuffer dst) throws IOException;

    /** Connects: only datagrams from {@code remote} are received and send's target may be null. */
    void connect(InetSocketAddress remote) throws IOException;

    /** Undoes {@link #connect}. */
    void disconnect() throws IOException;

    /** The connected peer, or null. */
    InetSocketAddress remoteAddress() throws IOException;
}
