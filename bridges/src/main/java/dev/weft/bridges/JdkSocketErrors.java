package dev.weft.bridges;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;

/** The exceptions a {@link FiberSocket} throws where a JDK socket would throw them, made from Weft's. Any thread. */
final class JdkSocketErrors {
    private JdkSocketErrors() {
    }

    /**
     * The exception a JDK socket would throw: {@code java.net} exceptions (resets, timeouts), TLS errors
     * ({@code SSLException}) and ends of stream ({@code EOFException}: a TLS peer that closed without
     * {@code close_notify}) pass as they are; a backend's own I/O exception (Netty's {@code
     * NativeIoException} on epoll) becomes a {@link SocketException} with the same message, so that
     * drivers that look for one find it.
     */
    static IOException asJdkException(IOException e) {
        if (e instanceof SocketException || e instanceof java.io.InterruptedIOException
                || e instanceof javax.net.ssl.SSLException || e instanceof java.io.EOFException || e.getClass().getName().startsWith("java.")) {
            return e;
        }
        SocketException se = new SocketException(e.getMessage());
        se.initCause(e);
        return se;
    }

    /** "Socket closed: ..." for a call that found the socket closed (by another fiber or thread). */
    static SocketException closed(IOException cause) {
        SocketException e = new SocketException("Socket closed: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /** A failed option call, naming the option. */
    static SocketException option(SocketOption<?> option, IOException e) {
        SocketException se = new SocketException(option + ": " + e.getMessage());
        se.initCause(e);
        return se;
    }
}
