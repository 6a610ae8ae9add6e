package dev.weft.http.internal;

import dev.weft.fibers.Event;
import dev.weft.http.HttpLimits;
import dev.weft.sockets.Connection;
import dev.weft.sockets.TcpSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a Weft HTTP server does with its connections, independent of how they were accepted: the
 * connection handler a {@link dev.weft.sockets.StreamServer} runs (and, later, an HTTPS server after
 * its TLS handshake), the live connections, the start gate and the graceful stop.
 *
 * <p>Thread rule: the hub thread (create it in a fiber of the hub that will serve).
 */
public final class HttpService {
    private final HttpLimits limits;
    private final Contexts contexts;
    private final Set<HttpConnection> connections = new LinkedHashSet<>();
    /** Connections a handler took over (HttpUpgrade). */
    private final Set<HttpConnection> upgraded = new LinkedHashSet<>();
    private final Event started = new Event();
    private final Event noConnections = new Event();
    private final IdleConnections idle = new IdleConnections();
    private boolean stopping;

    public HttpService(HttpLimits limits, Contexts contexts) {
        this.limits = limits;
        this.contexts = contexts;
    }

    HttpLimits limits() {
        return limits;
    }

    Contexts contexts() {
        return contexts;
    }

    IdleConnections idle() {
        return idle;
    }

    /**
     * Closes the connection that has waited longest for its next request (at least {@link
     * IdleConnections#RECLAIMABLE_AFTER}), to make room for a new client when every slot is taken (a
     * {@code StreamServer} reclaimer). Hub thread.
     *
     * @return whether one was idle (and closed)
     */
    public boolean closeLongestIdle() {
        HttpConnection c = idle.takeReclaimable();
        if (c == null) {
            return false;
        }
        c.reclaim();
        return true;
    }

    /** Serves one accepted TCP connection until it ends (a {@code ConnectionHandler}); the caller closes the socket. */
    public void serve(TcpSocket socket) throws Exception {
        socket.setNoDelay(true);
        serve((Connection) socket); // the cast picks the overload below
    }

    /** Serves one connection (plain or TLS) until it ends, and closes it. Waits for {@link #start()} first. */
    public void serve(Connection connection) {
        if (!started.isSet()) {
            started.await();
        }
        if (stopping) {
            connection.close();
            return;
        }
        HttpConnection c = new HttpConnection(this, connection);
        connections.add(c);
        noConnections.clear();
        try {
            c.run();
        } finally {
            upgraded.remove(c);
            connections.remove(c);
            if (connections.isEmpty()) {
                noConnections.set();
            }
        }
    }

    /** Lets connections accepted so far, and later ones, be served. */
    public void start() {
        started.set();
    }

    /** New exchanges stop: idle connections close now, busy ones after their exchange. */
    public void beginStop() {
        stopping = true;
        started.set();
        for (HttpConnection c : new ArrayList<>(connections)) {
            c.requestStop();
        }
    }

    void upgraded(HttpConnection c, boolean on) {
        if (on) {
            upgraded.add(c);
        } else {
            upgraded.remove(c);
        }
    }

    /** Whether some connection is upgraded now. */
    public boolean hasUpgraded() {
        return !upgraded.isEmpty();
    }

    /**
     * The stop's grace is over: runs the {@code onServerStop} callback of every upgraded connection,
     * each in a new fiber of this hub (a callback that fails is logged by the hub). Hub thread.
     */
    public void goAway() {
        for (HttpConnection c : new ArrayList<>(upgraded)) {
            Runnable callback = c.onServerStop();
            if (callback != null) {
                dev.weft.fibers.Fiber.spawn("go away " + c, callback::run);
            }
        }
    }

    /** Blocks the calling fiber until no connection is open. */
    public void awaitNoConnections() {
        if (!connections.isEmpty()) {
            noConnections.await();
        }
    }

    /** Connections open now. */
    public int connections() {
        return connections.size();
    }
}
