package dev.weft.jmh;

import java.util.concurrent.SynchronousQueue;

/** {@link ThreadPingPong} through two {@link SynchronousQueue}s: the java.util.concurrent idiom. */
final class SynchronousQueuePingPong extends ThreadPingPong {
    private static final Object TOKEN = new Object();
    private final SynchronousQueue<Object> requests = new SynchronousQueue<>();
    private final SynchronousQueue<Object> replies = new SynchronousQueue<>();

    SynchronousQueuePingPong(Thread.Builder threads) {
        super(threads);
    }

    @Override
    void roundTrip() throws InterruptedException {
        requests.put(TOKEN);
        replies.take();
    }

    @Override
    boolean answer() throws InterruptedException {
        if (closed) {
            return false;
        }
        replies.put(requests.take());
        return true;
    }
}
