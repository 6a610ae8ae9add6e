package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link ConnectionPool} for every hub of a {@link HubGroup}: connections belong to a hub, and a
 * fiber borrows one of its own hub's (a connection made in a fiber is that hub's: its sockets may
 * only be used by fibers of that hub). The {@code size} connections are shared out between the hubs
 * ({@code size / hubs}, one more for the first {@code size % hubs}), so the group never opens more
 * than {@code size}; each hub's pool is made the first time one of its fibers borrows, and opens
 * connections lazily as {@link ConnectionPool} does, with the same rules (a connection whose use
 * failed is closed, never reused; waiters FIFO per hub). A hub whose share is used up makes its
 * fibers wait even if another hub has idle connections: hubs never hand connections to each other.
 *
 * <p>Thread rule: {@link #withConnection} from fibers of the group's hubs
 * ({@link dev.weft.hub.WrongThreadException} elsewhere); {@link #close()} and the counts from any
 * thread.
 *
 * @param <C> the connection type
 */
public final class PerHubConnectionPool<C extends AutoCloseable> implements AutoCloseable {
    private final HubGroup group;
    private final int size;
    private final ConnectionPool.Opener<C> opener;
    private final AtomicReferenceArray<ConnectionPool<C>> pools;
    private volatile boolean closed;

    /**
     * A pool of at most {@code size} connections over the hubs of {@code group}, made by {@code opener}
     * in the borrowing fiber. Any thread.
     *
     * @throws IllegalArgumentException if {@code size} is below the number of hubs (a hub would get none)
     */
    public PerHubConnectionPool(HubGroup group, int size, ConnectionPool.Opener<C> opener) {
        this.group = Objects.requireNonNull(group, "group");
        if (size < group.size()) {
            throw new IllegalArgumentException("a pool of " + size + " connections cannot give each of the " + group.size()
                    + " hubs of " + group.name() + " one; make it at least " + group.size());
        }
        this.size = size;
        this.opener = Objects.requireNonNull(opener, "opener");
        this.pools = new AtomicReferenceArray<>(group.size());
    }

    /** How many connections hub {@code i} may open. */
    public int share(int i) {
        return size / group.size() + (i < size % group.size() ? 1 : 0);
    }

    /**
     * {@link ConnectionPool#withConnection} on the calling fiber's hub's pool.
     *
     * @throws dev.weft.hub.WrongThreadException outside the group's hubs, naming the caller's thread
     * @throws IllegalStateException if the pool is closed
     */
    public <R> R withConnection(ConnectionPool.Use<? super C, R> use) throws Exception {
        return own().withConnection(use);
    }

    /** The calling hub's pool, made on first use. */
    private ConnectionPool<C> own() {
        if (closed) {
            throw new IllegalStateException("this PerHubConnectionPool is closed");
        }
        HubGroup mine = HubGroup.current();
        if (mine != group) {
            Thread first = group.hubs().get(0).thread();
            throw new dev.weft.hub.WrongThreadException("PerHubConnectionPool.withConnection", first, Thread.currentThread(),
                    "Its connections belong to the hubs of " + group.name() + " (threads " + group.name()
                            + "-0.." + (group.size() - 1) + "); borrow from a fiber of one of them.");
        }
        Fiber.current();
        int i = group.indexOf(Hub.current());
        ConnectionPool<C> p = pools.get(i);
        if (p == null) {
            p = new ConnectionPool<>(share(i), opener); // on this hub: only its fibers get here for index i
            pools.set(i, p);
        }
        return p;
    }

    /** Connections open now on each hub, in hub order (0 for a hub that never borrowed). Any thread. */
    public List<Integer> openConnectionsPerHub() throws Exception {
        List<CompletableFuture<Integer>> asked = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            asked.add(group.spawnOn(i, () -> {
                ConnectionPool<C> p = pools.get(index);
                return p == null ? 0 : p.openConnections();
            }));
        }
        List<Integer> out = new ArrayList<>();
        for (CompletableFuture<Integer> a : asked) {
            out.add(Fiber.inFiber() ? Futures.await(a) : a.get());
        }
        return out;
    }

    /**
     * Closes every hub's idle connections, each on its own hub; connections in use close when they
     * come back. Later borrows throw {@link IllegalStateException}. Any thread but a fiber of the
     * group (which would wait for its own hub: it closes its own hub's pool directly).
     */
    @Override
    public void close() throws Exception {
        closed = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            ConnectionPool<C> p = pools.get(i);
            if (p == null) {
                continue;
            }
            closing.add(group.spawnOn(i, () -> {
                p.close();
                return null;
            }));
        }
        for (CompletableFuture<Void> c : closing) {
            if (Fiber.inFiber()) {
                Futures.await(c);
            } else {
                c.get();
            }
        }
    }

    @Override
    public String toString() {
        return "PerHubConnectionPool(" + size + " connections over " + group.size() + " hubs of " + group.name()
                + (closed ? ", closed" : "") + ")";
    }
}
