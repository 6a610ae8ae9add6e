package dev.weft.bridges;

import dev.weft.sockets.Connection;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The socket options of one {@link FiberSocket}: kept until it connects (as {@code java.net.Socket}
 * allows setting them first), then set on its connection from the hub thread, with the JDK's {@link
 * SocketException} for a failure. Thread rule: the socket's (the hub thread once connected).
 */
final class FiberSocketOptions {
    private final FiberSocket socket;
    private final Map<SocketOption<?>, Object> pending = new LinkedHashMap<>();

    FiberSocketOptions(FiberSocket socket) {
        this.socket = socket;
    }

    /** The value set before connecting, or null. */
    Object pending(SocketOption<?> option) {
        return pending.get(option);
    }

    /** Sets what was set before connecting on the new connection. */
    void applyPending(Connection connection) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : pending.entrySet()) {
            apply(connection, e.getKey(), e.getValue());
        }
        pending.clear();
    }

    @SuppressWarnings("unchecked")
    private static <T> void apply(Connection connection, SocketOption<T> option, Object value) throws IOException {
        connection.setOption(option, (T) value);
    }

    /** Sets {@code option} on {@code connection}, or keeps it for later when that is null (not connected). */
    <T> void set(Connection connection, SocketOption<T> option, T value) throws SocketException {
        if (connection == null) {
            pending.put(option, value);
            return;
        }
        socket.checkHubThread("setting " + option);
        try {
            connection.setOption(option, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw asSocketException(option, e);
        }
    }

    /** Reads {@code option} from {@code connection}, or what was set before connecting (else {@code unset}). */
    @SuppressWarnings("unchecked")
    <T> T get(Connection connection, SocketOption<T> option, T unset) throws SocketException {
        if (connection == null) {
            Object v = pending.get(option);
            return v == null ? unset : (T) v;
        }
        socket.checkHubThread("reading " + option);
        try {
            return connection.getOption(option);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw asSocketException(option, e);
        }
    }

    private static SocketException asSocketException(SocketOption<?> option, IOException e) {
        SocketException se = new SocketException(option + ": " + e.getMessage());
        se.initCause(e);
        return se;
    }
}
