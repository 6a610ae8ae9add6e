package dev.weft.tls.internal;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Fiber;
import dev.weft.tls.HandshakeTasks;
import java.io.IOException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Runs an engine's delegated tasks where {@link HandshakeTasks} says: on the hub, in the hub's
 * {@link HandshakeTurn}, or on the {@link HandshakeWorkers}. One instance per {@code
 * TlsClient}/{@code TlsServer}, shared by its connections (and possibly several hubs: the moving
 * average is a racy field on purpose, an estimate is all it needs to be).
 *
 * <p>Thread rule: {@link #runAll} from the fiber that drives the engine.
 */
public final class DelegatedTasks {
    /** ADAPTIVE offloads while the moving average of task times is at or above this. */
    public static final long ADAPTIVE_LIMIT_MICROS = 300;
    private static final long LIMIT_NANOS = ADAPTIVE_LIMIT_MICROS * 1_000;

    private final HandshakeTasks policy;
    /** Moving average of task times in ns (1/8 weight to the newest). */
    private volatile long averageNanos;
    /** Tasks run inline and offloaded (for tests and notes). */
    private volatile long inline;
    private volatile long offloaded;

    public DelegatedTasks(HandshakeTasks policy) {
        this.policy = policy;
    }

    /**
     * Runs every task the engine has now. During the handshake ({@code mayOffload}) a task runs on a
     * {@link HandshakeWorkers} thread when the policy says so, the caller giving up its {@link
     * HandshakeTurn} (if it has it) while it waits; else on the hub. After the handshake (when the
     * other direction may be using the engine) they run inline whatever the policy.
     *
     * @throws SSLException what a task failed with (a refused certificate), as the engine reports it
     */
    public void runAll(SSLEngine engine, boolean mayOffload) throws IOException {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            if (mayOffload && offload()) {
                offloaded++;
                Runnable t = task;
                HandshakeTurn turn = HandshakeTurn.ofThisHub();
                boolean had = turn.isHeld();
                turn.give();
                try {
                    Fiber.await(HandshakeWorkers.run(() -> time(t)));
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new SSLException("a TLS handshake task failed: " + e, e);
                } finally {
                    if (had) {
                        turn.takeToContinue();
                    }
                }
            } else {
                inline++;
                time(task);
            }
        }
    }

    /**
     * Where a task goes: ADAPTIVE offloads only while recent tasks were slow and a CPU is spare (on
     * one CPU a worker thread would only take the hub's CPU, with more switching and lock hand-offs).
     */
    private boolean offload() {
        return switch (policy) {
            case INLINE -> false;
            case OFFLOAD -> true;
            case ADAPTIVE -> HandshakeWorkers.SPARE_CPUS > 0 && averageNanos >= LIMIT_NANOS;
        };
    }

    private void time(Runnable task) {
        long start = Deadlines.now();
        task.run();
        long took = Deadlines.now() - start;
        long avg = averageNanos;
        averageNanos = avg == 0 ? took : avg + (took - avg) / 8;
    }

    /** The moving average of task times, in microseconds. */
    public double averageMicros() {
        return averageNanos / 1e3;
    }

    /** Tasks run on the hub thread so far. */
    public long inlineCount() {
        return inline;
    }

    /** Tasks run on a handshake worker so far. */
    public long offloadedCount() {
        return offloaded;
    }
}
