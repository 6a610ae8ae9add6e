package dev.weft.jmh;

import java.util.concurrent.SynchronousQueue;

/**
 * Two threads (virtual or platform) that bounce control back and forth, driven in batches from the
 * benchmark thread: {@link #run(int)} hands the pinger a batch and waits until it is done, so the
 * hand-off between the benchmark thread and the pair is paid once per batch, not per round trip.
 *
 * <p>Subclasses say how one round trip is done; the two threads are created from one builder.
 */
abstract class ThreadPingPong implements AutoCloseable {
    private static final int STOP = -1;

    private final SynchronousQueue<Integer> batches = new SynchronousQueue<>();
    private final SynchronousQueue<Integer> done = new SynchronousQueue<>();
    private final Thread pinger;
    private final Thread ponger;
    volatile boolean closed;

    ThreadPingPong(Thread.Builder threads) {
        this.ponger = threads.unstarted(this::pongLoop);
        this.pinger = threads.unstarted(this::pingLoop);
    }

    final ThreadPingPong start() {
        ponger.start();
        pinger.start();
        return this;
    }

    final Thread pinger() {
        return pinger;
    }

    final Thread ponger() {
        return ponger;
    }

    /** Runs {@code roundTrips} round trips between the two threads; blocks the calling thread until done. */
    final int run(int roundTrips) throws InterruptedException {
        batches.put(roundTrips);
        return done.take();
    }

    /** On the pinger: send to the ponger and wait for its answer. */
    abstract void roundTrip() throws InterruptedException;

    /** On the ponger: wait for the pinger and answer; false once closed. */
    abstract boolean answer() throws InterruptedException;

    private void pingLoop() {
        try {
            for (int n; (n = batches.take()) != STOP; ) {
                for (int i = 0; i < n; i++) {
                    roundTrip();
                }
                done.put(n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pongLoop() {
        try {
            while (answer()) {
                // one answer per round trip
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        batches.put(STOP);
        ponger.interrupt();
        pinger.join();
        ponger.join();
    }
}
