package dev.weft.http.internal;

import dev.weft.fibers.Deadlines;

/**
 * A server's connections that wait for the first byte of their next request, oldest first: when
 * every connection slot is taken and another client connects, the one idle longest is closed to make
 * room (what nginx does with keep-alive connections), once it has waited at least {@link
 * #RECLAIMABLE_AFTER}: a client that has just connected, or just had its answer, and is about to
 * send is not cut off in a race with a newcomer. An intrusive doubly linked list through the
 * connections' own fields: adding and removing is O(1) and allocates nothing, once per request.
 *
 * <p>Thread rule: the server's hub thread.
 */
final class IdleConnections {
    /** How long a connection must have waited for a request before it may be closed to make room. */
    static final java.time.Duration RECLAIMABLE_AFTER = java.time.Duration.ofSeconds(1);
    private static final long RECLAIMABLE_AFTER_NANOS = RECLAIMABLE_AFTER.toNanos();
    private HttpConnection oldest;
    private HttpConnection newest;
    private int size;

    /** {@code c} begins to wait for a request. */
    void add(HttpConnection c) {
        if (c.idleListed) {
            return;
        }
        c.idleListed = true;
        c.idleSince = Deadlines.now();
        c.idleOlder = newest;
        c.idleNewer = null;
        if (newest == null) {
            oldest = c;
        } else {
            newest.idleNewer = c;
        }
        newest = c;
        size++;
    }

    /** {@code c} got a request, or ended; nothing if it was not listed. */
    void remove(HttpConnection c) {
        if (!c.idleListed) {
            return;
        }
        c.idleListed = false;
        if (c.idleOlder == null) {
            oldest = c.idleNewer;
        } else {
            c.idleOlder.idleNewer = c.idleNewer;
        }
        if (c.idleNewer == null) {
            newest = c.idleOlder;
        } else {
            c.idleNewer.idleOlder = c.idleOlder;
        }
        c.idleOlder = null;
        c.idleNewer = null;
        size--;
    }

    /**
     * The connection idle longest, removed from the list; null if none has been idle for {@link
     * #RECLAIMABLE_AFTER} (the oldest is the one idle longest, so then none has).
     */
    HttpConnection takeReclaimable() {
        HttpConnection c = oldest;
        if (c == null || Deadlines.now() - c.idleSince < RECLAIMABLE_AFTER_NANOS) {
            return null;
        }
        remove(c);
        return c;
    }

    int size() {
        return size;
    }
}
