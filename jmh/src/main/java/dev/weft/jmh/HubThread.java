package dev.weft.jmh;

import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A benchmark server on a hub of its own, on a platform thread, serving until its JVM exits. */
public final class HubThread {
    private HubThread() {
    }

    /**
     * Starts thread {@code name} running a hub on {@code backend}; {@code start} runs in its first
     * fiber, starts a server and returns its port; the hub then serves until the JVM exits. Blocks the
     * calling thread until the port is known (at most 30 s).
     *
     * @throws java.util.concurrent.ExecutionException with what {@code start} or the hub threw
     */
    public static int serve(String name, String backend, Callable<Integer> start) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name(name).start(() -> {
            try {
                Hub.run(backend, () -> {
                    port.complete(start.call());
                    new Event().await();
                    return null;
                });
            } catch (Throwable t) {
                port.completeExceptionally(t);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }
}
