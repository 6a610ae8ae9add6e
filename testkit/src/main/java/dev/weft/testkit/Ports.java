package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for tests. Any thread. */
public final class Ports {
    private Ports() {
    }

    /**
     * A port of 127.0.0.1 that was free a moment ago: for a server that cannot pick its own and report
     * it, or as a port nothing listens on (a connect to it is refused).
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
