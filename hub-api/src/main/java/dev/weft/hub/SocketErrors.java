package dev.weft.hub;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The {@code java.net} exceptions a JDK socket throws, with the address in the message, so that
 * every backend reports the same failure the same way (a backend maps its own errors onto these):
 *
 * <ul>
 * <li>bind: {@link BindException} "Address already in use: 127.0.0.1:8080" (any bind failure, with
 *     the system's reason);
 * <li>connect: {@link ConnectException} "Connection refused: 127.0.0.1:8080";
 * <li>accept: the system's {@link IOException} ("Too many open files") naming the listening address;
 * <li>a reset by the peer: {@link SocketException} "Connection reset" (read) and "Broken pipe" or
 *     "Connection reset" (write), as {@code java.net.Socket} says them;
 * <li>a write after our own {@code shutdownOutput}: {@link SocketException} "Socket output is shutdown";
 * <li>a connected datagram socket whose peer has no socket on that port: {@link PortUnreachableException}.
 * </ul>
 *
 * <p>Thread rule: any thread (plain factories).
 */
public final class SocketErrors {
    /** What {@code java.net.Socket} says for a reset seen by a read. */
    public static final String CONNECTION_RESET = "Connection reset";
    /** What a write to a peer that is gone says (EPIPE). */
    public static final String BROKEN_PIPE = "Broken pipe";
    /** What {@code java.net.Socket} says for a write after {@code shutdownOutput}. */
    public static final String OUTPUT_SHUTDOWN = "Socket output is shutdown";

    private SocketErrors() {
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080}, or the address's own text if it is not an IP one. */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress a) {
            if (a.isUnresolved() || a.getAddress() == null) {
                return a.getHostString() + ":" + a.getPort();
            }
            String host = a.getAddress().getHostAddress();
            return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    /** A failed bind: {@code reason} is the system's text ("Address already in use"). */
    public static BindException bindFailed(String reason, SocketAddress at, Throwable cause) {
        BindException e = new BindException(reason + ": " + describe(at));
        e.initCause(cause);
        return e;
    }

    /** A failed connect: {@code reason} is the system's text ("Connection refused"). */
    public static ConnectException connectFailed(String reason, SocketAddress to, Throwable cause) {
        ConnectException e = new ConnectException(reason + ": " + describe(to));
        e.initCause(cause);
        return e;
    }

    /** A failed accept, keeping the system's text (it may say "Too many open files"). */
    public static IOException acceptFailed(String reason, SocketAddress on, Throwable cause) {
        return new IOException(reason + " (accepting on " + describe(on) + ")", cause);
    }

    /** The peer reset the connection. */
    public static SocketException connectionReset(Throwable cause) {
        SocketException e = new SocketException(CONNECTION_RESET);
        e.initCause(cause);
        return e;
    }

    /** A write to a peer that has gone (EPIPE). */
    public static SocketException brokenPipe(Throwable cause) {
        SocketException e = new SocketException(BROKEN_PIPE);
        e.initCause(cause);
        return e;
    }

    /** A write after this side's {@code shutdownOutput}. */
    public static SocketException outputShutdown() {
        return new SocketException(OUTPUT_SHUTDOWN);
    }

    /** An ICMP port-unreachable error reported for an earlier datagram to {@code peer}. */
    public static PortUnreachableException portUnreachable(SocketAddress peer, Throwable cause) {
        PortUnreachableException e = new PortUnreachableException("ICMP port unreachable: nothing listens on "
                + describe(peer) + " (reported for an earlier datagram)");
        e.initCause(cause);
        return e;
    }

    /**
     * The {@code java.net} form of a read or write failure given as the system's text (a JDK
     * channel's message, or the part after "failed: " in another library's): a reset or broken pipe
     * becomes the {@link SocketException} {@code java.net.Socket} throws; anything else is returned as is.
     */
    public static IOException streamFailure(IOException e, String reason) {
        if (reason == null) {
            return e;
        }
        return switch (reason) {
            case "Connection reset by peer", CONNECTION_RESET -> e instanceof SocketException s
                    && CONNECTION_RESET.equals(s.getMessage()) ? e : connectionReset(e);
            case BROKEN_PIPE -> brokenPipe(e);
            default -> e;
        };
    }
}
