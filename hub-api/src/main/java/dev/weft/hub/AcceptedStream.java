package dev.weft.hub;

import java.net.InetSocketAddress;

/**
 * An accepted TCP connection that no poller owns yet, so that it can move to another loop thread:
 * {@link ListenerHandle#acceptUnowned()} makes it on the listener's loop thread, any thread may carry
 * it, and {@link Poller#adopt} on the receiving loop thread turns it into that poller's
 * {@link StreamHandle} (the descriptor moves, nothing else). Exactly one of {@code adopt} and
 * {@link #discard()} takes it; the other then does nothing.
 *
 * <p>Thread rule: any thread. Memory consistency effects: actions before handing it to another
 * thread by a happens-before hand-off (a task queue) are visible to that thread's {@code adopt}.
 */
public interface AcceptedStream {

    /** The peer, as the accept reported it. */
    InetSocketAddress remoteAddress();

    /** The name of the backend that accepted it; only a poller of that backend can adopt it. */
    String backendName();

    /**
     * Closes the connection unless a poller has adopted it (then the handle owns it). Idempotent.
     *
     * @return true if this call closed it (it had been neither adopted nor discarded)
     */
    boolean discard();
}
