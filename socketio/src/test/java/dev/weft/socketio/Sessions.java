package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a server's sessions to end (the clients disconnected; the server sees it a moment later). */
final class Sessions {
    private Sessions() {
    }

    /** Returns once {@code io} has no session left; fails after 10 s naming how many remain. Any thread, not in a fiber. */
    static void awaitNone(SocketIoServer io) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (io.clients() > 0) {
            if (System.nanoTime() > deadline) {
                fail(io.clients() + " sessions still open 10 s after their clients disconnected: " + io.clientsPerHub());
            }
            Thread.sleep(20);
        }
    }
}
