package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberLocal;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The sockets a connection opener made in the current fiber, closed if the opener fails: see {@link
 * FiberSocketFactory#closeOnFailure}. Drivers close their half-open stream in {@code catch (Exception)},
 * which a {@link dev.weft.fibers.FiberKilledError} (an {@code Error}) passes by; without this, a kill
 * during a connect leaves the socket, and the server's connection, open until the hub ends.
 *
 * <p>Thread rule: the fiber that runs the opener. Scopes nest: an inner scope's sockets belong to the
 * outer one too once the inner one succeeded.
 */
final class OpeningScope {
    private static final FiberLocal<OpeningScope> CURRENT = new FiberLocal<>();
    private final OpeningScope outer;
    private final List<Socket> sockets = new ArrayList<>(2);

    private OpeningScope(OpeningScope outer) {
        this.outer = outer;
    }

    /** Runs {@code opener}; if it throws anything, closes every socket {@link #opened} recorded meanwhile. */
    static <T> T run(Callable<T> opener) throws Exception {
        OpeningScope scope = new OpeningScope(CURRENT.get());
        CURRENT.set(scope);
        boolean ok = false;
        try {
            T result = opener.call();
            ok = true;
            return result;
        } finally {
            CURRENT.set(scope.outer);
            if (ok) {
                if (scope.outer != null) {
                    scope.outer.sockets.addAll(scope.sockets);
                }
            } else {
                for (Socket s : scope.sockets) {
                    try {
                        s.close();
                    } catch (java.io.IOException | RuntimeException ignored) {
                        // the opener's own failure is what the caller needs to see
                    }
                }
            }
        }
    }

    /** Records a socket made by the current fiber, if an opener is running in it. Any thread (a no-op outside fibers). */
    static void opened(Socket socket) {
        if (!Fiber.inFiber()) {
            return;
        }
        OpeningScope scope = CURRENT.get();
        if (scope != null) {
            scope.sockets.add(socket);
        }
    }
}
