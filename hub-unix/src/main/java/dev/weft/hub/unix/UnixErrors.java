package dev.weft.hub.unix;

import dev.weft.hub.SocketErrors;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Errors.NativeIoException;
import java.io.IOException;

/**
 * Netty's native socket errors ({@link NativeIoException}: "write(..) failed with error(-32): Broken
 * pipe") mapped onto the {@code java.net} exceptions a JDK socket throws ({@link SocketErrors}).
 * Loop thread (plain functions).
 */
final class UnixErrors {
    private UnixErrors() {
    }

    /** The system's text of an error: "Broken pipe" out of "write(..) failed with error(-32): Broken pipe". */
    static String reason(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int colon = m.lastIndexOf(": ");
        return colon < 0 ? m : m.substring(colon + 2);
    }

    /** A read or write failure: a reset or a broken pipe as {@code java.net.Socket} reports them. */
    static IOException stream(IOException e) {
        if (e instanceof NativeIoException n) {
            if (n.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE) {
                return SocketErrors.connectionReset(e);
            }
            if (n.expectedErr() == Errors.ERRNO_EPIPE_NEGATIVE) {
                return SocketErrors.brokenPipe(e);
            }
        }
        return SocketErrors.streamFailure(e, reason(e));
    }

    /** Whether {@code e} is ENOTCONN (the peer is gone): a shutdown then has nothing left to do. */
    static boolean notConnected(IOException e) {
        return e instanceof NativeIoException n && n.expectedErr() == Errors.ERRNO_ENOTCONN_NEGATIVE;
    }
}
