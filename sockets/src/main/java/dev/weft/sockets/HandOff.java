package dev.weft.sockets;

import dev.weft.fibers.Event;
import dev.weft.fibers.HubGroup;
import dev.weft.hub.AcceptedStream;
import dev.weft.hub.ListenerHandle;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The hand-off acceptor of a {@link StreamServerGroup} in {@link AcceptMode#HANDOFF}: hub 0's accept
 * fiber accepts each connection without registering it ({@link ListenerHandle#acceptUnowned()}) and
 * hands it to the least-loaded hub that has room (load: connections handed to that hub and not yet
 * ended; ties broken round robin), whose {@link StreamServer} registers it with its own backend and
 * serves it there.
 *
 * <p>Limits: hub {@code i} is handed at most its share of {@code maxConnections}; a slot is taken when
 * a connection is handed over and freed when its handler ends (or it is closed unserved), so the
 * group never holds more than {@code maxConnections}. While every hub is full the acceptor stops
 * accepting (connections wait in the kernel backlog) until a hub frees a slot.
 *
 * <p>Nothing leaks: a connection handed to a hub whose server is stopping, or whose hub has shut
 * down (the task is refused, or killed before it ran), is closed and counted ({@link #closedUnserved()}).
 *
 * <p>Thread rule: {@link #awaitRoom}, {@link #acceptOne} and {@link #wakeAcceptor} on the acceptor's
 * hub (hub 0); {@link #register} on the registering hub; {@link #release} and the counts, any thread.
 */
final class HandOff {
    private final HubGroup group;
    private final AtomicReferenceArray<StreamServer> servers;
    /** Each hub's share of maxConnections; 0 until its server is registered. */
    private final AtomicIntegerArray shares;
    /** Connections handed to each hub and not yet ended. */
    private final AtomicIntegerArray load;
    private final AtomicLong closedUnserved = new AtomicLong();
    /** Set (from any hub) when a slot frees while the acceptor waits for one; awaited on hub 0. */
    private final Event room = new Event();
    private volatile boolean acceptorWaits;
    /** Where the next search starts (acceptor hub only): ties go round robin. */
    private int next;

    HandOff(HubGroup group) {
        this.group = group;
        int n = group.size();
        this.servers = new AtomicReferenceArray<>(n);
        this.shares = new AtomicIntegerArray(n);
        this.load = new AtomicIntegerArray(n);
    }

    /** Hub {@code hub}'s server takes connections from now on, at most {@code share} at once. */
    void register(int hub, StreamServer server, int share) {
        servers.set(hub, server);
        shares.set(hub, share);
        if (acceptorWaits) {
            room.set();
        }
    }

    /** Parks the acceptor until a hub has room; false if {@code intake} is stopping. Acceptor hub. */
    boolean awaitRoom(ServerFibers intake) {
        while (!intake.isStopping()) {
            if (pick(false) >= 0) {
                return true;
            }
            acceptorWaits = true;
            try {
                room.clear();
                if (pick(false) < 0 && !intake.isStopping()) {
                    room.await();
                }
            } finally {
                acceptorWaits = false;
            }
        }
        return false;
    }

    /** Wakes an acceptor that waits for room (the server stops). Acceptor hub. */
    void wakeAcceptor() {
        room.set();
    }

    /**
     * Accepts one connection and hands it to a hub with room (call after {@link #awaitRoom}).
     *
     * @return false if none was pending
     */
    boolean acceptOne(ListenerHandle listener) throws IOException {
        AcceptedStream a = listener.acceptUnowned();
        if (a == null) {
            return false;
        }
        int i = pick(true);
        if (i < 0) { // cannot happen after awaitRoom (only this fiber takes slots); never leak it anyway
            closeUnserved(-1, a);
            return true;
        }
        load.incrementAndGet(i);
        StreamServer target = servers.get(i);
        CompletableFuture<Void> served;
        try {
            served = group.spawnOn(i, () -> {
                target.adoptHandedOff(a, this, i);
                return null;
            });
        } catch (RejectedExecutionException hubShutDown) {
            closeUnserved(i, a);
            return true;
        }
        // killed before it ran (the hub shut down meanwhile): the task never adopted it
        served.whenComplete((v, failed) -> closeUnserved(i, a));
        return true;
    }

    /** The least-loaded registered hub below its share, ties round robin; -1 if none. */
    private int pick(boolean take) {
        int n = servers.length();
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int i = (next + k) % n;
            int l = load.get(i);
            if (l < shares.get(i) && l < bestLoad) {
                best = i;
                bestLoad = l;
            }
        }
        if (take && best >= 0) {
            next = (best + 1) % n;
        }
        return best;
    }

    /** A connection handed to hub {@code hub} has ended (or was closed unserved): frees its slot. Any thread. */
    void release(int hub) {
        load.decrementAndGet(hub);
        if (acceptorWaits) {
            room.set();
        }
    }

    /** Closes {@code a} unless a hub adopted it; if this closed it, counts it and frees hub {@code hub}'s slot. Any thread. */
    void closeUnserved(int hub, AcceptedStream a) {
        if (a.discard()) {
            closedUnserved.incrementAndGet();
            if (hub >= 0) {
                release(hub);
            }
        }
    }

    /** A hub failed to adopt a connection (the adoption closed it): counts it and frees the slot. Any thread. */
    void adoptionFailed(int hub, AcceptedStream a) {
        a.discard();
        closedUnserved.incrementAndGet();
        release(hub);
    }

    /** Connections accepted but closed without reaching a handler (their hub was stopping or shut down). */
    long closedUnserved() {
        return closedUnserved.get();
    }
}
