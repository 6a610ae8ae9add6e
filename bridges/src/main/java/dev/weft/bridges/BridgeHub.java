package dev.weft.bridges;

import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The hub that owns the {@link FiberSocket}s connected on threads that run no hub (a pool's own
 * threads: HikariCP's connection adder, pgjdbc's cancel timer, OkHttp's dispatcher): one daemon thread,
 * {@code weft-bridge-hub}, started the first time such a socket connects, on the default backend. It
 * runs no user code; it only carries out the socket calls that other threads and other hubs' fibers
 * forward to it (see {@link FiberSocket}), so a socket made off the hubs is cooperative in any hub's
 * fibers and blocking on plain threads.
 *
 * <p>Thread rule: any thread. The thread ends with the JVM (its sockets with it).
 */
final class BridgeHub {
    private static volatile Hub hub;

    private BridgeHub() {
    }

    /** Whether a hub runs on the calling thread (a fiber's, or the hub's own code outside any fiber). */
    static boolean onSomeHub() {
        try {
            Hub.current();
            return true;
        } catch (dev.weft.fibers.NotInFiberException noHub) {
            return false;
        }
    }

    /**
     * The bridge hub, started on first use.
     *
     * @throws IllegalStateException if it could not start (no backend can run: the cause says why)
     */
    static Hub get() {
        Hub h = hub;
        if (h != null) {
            return h;
        }
        synchronized (BridgeHub.class) {
            if (hub == null) {
                hub = start();
            }
            return hub;
        }
    }

    private static Hub start() {
        CompletableFuture<Hub> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Hub.run(() -> {
                    Hub me = Hub.current();
                    started.complete(me);
                    try (AutoCloseable forever = me.keepAlive()) { // other threads hand it work: not stalled
                        new Event().await();
                    }
                });
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "weft-bridge-hub");
        t.setDaemon(true);
        t.start();
        try {
            return started.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the bridge hub for sockets made off the hubs could not start: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
