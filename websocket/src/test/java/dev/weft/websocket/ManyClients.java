package dev.weft.websocket;

import dev.weft.fibers.Fiber;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens many client connections at once, for the child JVMs of the idle-connection tests ({@link
 * IdleClients} here, {@code IdleSocketIoClients} in the socketio module, which gets this class from
 * this module's test-jar). Thread rule: a fiber of the hub the connections are to live on.
 */
public final class ManyClients {
    /** How many connections one opener fiber opens, one after the other. */
    public static final int PER_FIBER = 50;

    /** Opens one connection and does its first exchange (a handshake of the protocol on top, a round trip). */
    @FunctionalInterface
    public interface Opener {
        WebSocket open() throws Exception;
    }

    private ManyClients() {
    }

    /**
     * Opens {@code count} connections with {@code opener}, from fibers of {@value #PER_FIBER} each;
     * blocks the calling fiber until every one is open. The first opener's failure is thrown.
     *
     * @return the connections, in the order they opened
     */
    public static List<WebSocket> open(int count, Opener opener) throws Exception {
        List<WebSocket> open = new ArrayList<>(count);
        List<Fiber<Void>> openers = new ArrayList<>();
        for (int start = 0; start < count; start += PER_FIBER) {
            int n = Math.min(PER_FIBER, count - start);
            openers.add(Fiber.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    open.add(opener.open());
                }
            }));
        }
        for (Fiber<Void> f : openers) {
            f.get();
        }
        return open;
    }

    /** How many of {@code connections} ended with close code 1000. */
    public static int closedNormally(List<WebSocket> connections) {
        int clean = 0;
        for (WebSocket ws : connections) {
            clean += ws.closeStatus() != null && ws.closeStatus().code() == 1000 ? 1 : 0;
        }
        return clean;
    }

    /** Prints {@code line} to standard output and flushes it (the parent test reads it line by line). */
    public static void tell(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
