package dev.weft.hub.unix;

import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/** Maps {@link StandardSocketOptions} onto Netty's {@link Socket} setters and getters. */
final class UnixOptions {
    static final Set<SocketOption<?>> STREAM = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.IP_TOS);
    static final Set<SocketOption<?>> LISTENER = Set.of(StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF);
    static final Set<SocketOption<?>> DATAGRAM = Set.of(StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_TOS);

    private UnixOptions() {
    }

    static <T> void set(Socket s, Set<SocketOption<?>> supported, SocketOption<T> option, T value) throws IOException {
        check(supported, option);
        if (option == StandardSocketOptions.TCP_NODELAY) {
            s.setTcpNoDelay((Boolean) value);
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            s.setKeepAlive((Boolean) value);
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            s.setReuseAddress((Boolean) value);
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            s.setReusePort((Boolean) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            s.setReceiveBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            s.setSendBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_LINGER) {
            s.setSoLinger((Integer) value);
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            s.setBroadcast((Boolean) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            s.setTrafficClass((Integer) value);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Socket s, Set<SocketOption<?>> supported, SocketOption<T> option) throws IOException {
        check(supported, option);
        Object v;
        if (option == StandardSocketOptions.TCP_NODELAY) {
            v = s.isTcpNoDelay();
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            v = s.isKeepAlive();
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            v = s.isReuseAddress();
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            v = s.isReusePort();
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            v = s.getReceiveBufferSize();
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            v = s.getSendBufferSize();
        } else if (option == StandardSocketOptions.SO_LINGER) {
            v = s.getSoLinger();
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            v = s.isBroadcast();
        } else {
            v = s.getTrafficClass();
        }
        return (T) v;
    }

    private static void check(Set<SocketOption<?>> supported, SocketOption<?> option) {
        if (!supported.contains(option)) {
            throw new UnsupportedOperationException("no socket option " + option.name() + " on this kind of socket here;"
                    + " supported: " + supported);
        }
    }
}
