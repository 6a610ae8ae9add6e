package dev.weft.sockets;

import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * What {@link StreamServerGroup} and {@link DatagramServerGroup} share: one server per hub of a
 * {@link HubGroup}, all bound to one address; the accessors, the per-hub queries (each asked of its
 * server on that server's own hub, see {@link GroupCalls}), the per-hub lines of a dump, the stop of
 * every hub at once, and the clean-up of a start that failed half-way.
 *
 * <p>Thread rule: any thread. The queries ask each hub and wait for its answer (in a fiber they park
 * it; on a thread they block it).
 *
 * @param <S> the per-hub server
 */
abstract sealed class ServerGroup<S> permits StreamServerGroup, DatagramServerGroup {
    private final HubGroup group;
    private final List<S> servers;
    private final InetSocketAddress address;

    ServerGroup(HubGroup group, List<S> servers, InetSocketAddress address) {
        this.group = group;
        this.servers = List.copyOf(servers);
        this.address = address;
    }

    /** The hub that {@code server} runs on. */
    abstract Hub hubOf(S server);

    /** Stops {@code server} on its own hub's fiber; how many connections or handlers it killed. */
    abstract int stopOne(S server, Duration grace);

    /** The address every hub's server is bound to (with the actual port when bound to port 0). */
    public final InetSocketAddress address() {
        return address;
    }

    /** The port every hub's server is bound to. */
    public final int port() {
        return address.getPort();
    }

    /**
     * How many hubs serve, one server each: the group's size, or fewer for a {@link StreamServerGroup}
     * whose {@code maxConnections} is below it.
     */
    public final int hubs() {
        return servers.size();
    }

    /** The group it runs on. */
    public final HubGroup group() {
        return group;
    }

    /** The server of hub {@code i} (to use on that hub's thread, as any server of its kind). */
    public final S on(int i) {
        return servers.get(i);
    }

    /** Asks {@code query} of every hub's server on its own hub, all at once; the answers in hub order. */
    final <T> List<T> ask(Function<S, T> query) {
        return GroupCalls.ask(group, servers, s -> group.indexOf(hubOf(s)), query);
    }

    /** Stops every hub's server at once and waits for all; how many each killed, summed. */
    final int stopAll(Duration grace) {
        return ask(s -> stopOne(s, grace)).stream().mapToInt(Integer::intValue).sum();
    }

    /** Appends one line per hub: {@code "  hub i (thread): "} and what {@code counts} says of hub {@code i}. */
    final void appendPerHub(StringBuilder sb, Function<Integer, String> counts) {
        for (int i = 0; i < servers.size(); i++) {
            sb.append("  hub ").append(i).append(" (").append(group.hubs().get(i).thread().getName()).append("): ")
                    .append(counts.apply(i)).append('\n');
        }
    }

    /**
     * After a start that failed with {@code failure}: stops (grace zero) every server of {@code started},
     * each on its own hub; a stop that fails too is added to {@code failure} as suppressed.
     */
    static <S> void stopStarted(HubGroup group, List<S> started, Function<S, Hub> hubOf,
                                java.util.function.BiFunction<S, Duration, Integer> stop, Throwable failure) {
        for (S s : started) {
            try {
                GroupCalls.awaitUnchecked(group.spawnOn(group.indexOf(hubOf.apply(s)), () -> stop.apply(s, Duration.ZERO)));
            } catch (RuntimeException alsoFailed) {
                failure.addSuppressed(alsoFailed);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + address + ", " + servers.size() + " hubs)";
    }
}
