package dev.weft.sockets;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Hub;
import dev.weft.hub.EventLoop;
import dev.weft.hub.Timer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * {@link ThreadPool#offload} on a simulated hub (the {@code sim} backend): no pool thread (its answer
 * would arrive at a moment no seed decides); the call runs on the hub thread, outside any fiber, as a
 * simulated event {@value #LATENCY_NANOS} ns of virtual time after it was offloaded, and completes the
 * caller's result there. A call withdrawn before that moment (the caller was killed or timed out)
 * never runs, as a queued call is withdrawn from a real pool; its own running time is not virtual time.
 * The call must not wait for other threads: it would hold the whole simulation. Hub thread.
 */
final class SimulatedOffload {
    /** Virtual time between the offload and the call's run (queueing plus a pool thread's wake-up). */
    static final long LATENCY_NANOS = 50_000;

    private SimulatedOffload() {
    }

    static <T> T offload(Hub hub, Callable<T> call) throws Exception {
        AsyncResult<T> result = new AsyncResult<>();
        EventLoop loop = hub.loop();
        Timer run = loop.schedule(LATENCY_NANOS, () -> {
            try {
                result.set(call.call());
            } catch (Throwable t) {
                result.setException(t);
            }
        });
        try {
            return result.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception checked) {
                throw checked;
            }
            throw e;
        } finally {
            if (!result.isDone()) {
                loop.cancel(run); // killed or timed out while it waited: it never runs
            }
        }
    }
}
