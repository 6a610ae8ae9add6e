package dev.weft.sockets;

import dev.weft.fibers.HubGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link DatagramServer} on every hub of a {@link HubGroup}: one UDP socket per hub bound to the
 * same port with {@code SO_REUSEPORT}. Linux gives each datagram to one of them by a hash of its
 * source and destination addresses and ports, so one sender (one source port) always reaches the
 * same hub and many senders spread over the hubs; a handler's {@link DatagramServer#send} answers
 * from the socket that received, on the hub that received. Started by {@link
 * DatagramServer.Builder#startOn}. On epoll, io_uring and nio (Linux); kqueue sets the option but
 * macOS and the BSDs do not balance datagrams (the last socket bound gets them); the simulation
 * backend refuses SO_REUSEPORT ({@link UnsupportedOperationException} from the start).
 *
 * <p>Limits: {@code maxHandlers} holds per hub (a UDP server has no connections to share out: while
 * one hub is full its datagrams wait in its socket's receive buffer).
 *
 * <p>A port another program has bound is refused ({@link BindException}), even if that program set
 * {@code SO_REUSEPORT} too: a probe bind without the option comes first.
 *
 * <p>Stop: {@link #stop(Duration)} stops every hub's server at once; stopping the group ({@link
 * HubGroup#stop}) does the same with the group's grace.
 *
 * <p>Thread rule: any thread. The queries ask each hub and wait for its answer (in a fiber they park
 * it; on a thread they block it).
 */
public final class DatagramServerGroup extends ServerGroup<DatagramServer> {
    private static final System.Logger LOG = System.getLogger(DatagramServer.class.getName());

    private DatagramServerGroup(HubGroup group, List<DatagramServer> servers, InetSocketAddress address) {
        super(group, servers, address);
    }

    /** See {@link DatagramServer.Builder#startOn}. */
    static DatagramServerGroup start(HubGroup group, DatagramServer.Builder b) throws IOException {
        Objects.requireNonNull(group, "group");
        List<DatagramServer> started = new ArrayList<>();
        InetSocketAddress address = null;
        try {
            if (b.port() != 0) {
                refuseIfBound(b.host(), b.port());
            }
            int port = b.port();
            for (int i = 0; i < group.size(); i++) {
                int bindTo = port;
                DatagramServer s = GroupCalls.callOn(group, i, () -> {
                    DatagramServer server = b.startSharing(bindTo);
                    group.onStop(server::stop);
                    return server;
                });
                started.add(s);
                if (address == null) {
                    address = GroupCalls.callOn(group, 0, s::address);
                    port = address.getPort(); // port 0: the first hub's port is everyone's
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            stopStarted(group, started, DatagramServer::hub, DatagramServer::stop, e);
            throw e;
        }
        DatagramServerGroup g = new DatagramServerGroup(group, started, address);
        LOG.log(System.Logger.Level.INFO, () -> "DatagramServer on " + g.address() + ": receiving on " + started.size()
                + " hub(s) of " + group.name() + " (one SO_REUSEPORT socket per hub, backend "
                + group.hubs().get(0).backendName() + ")");
        return g;
    }

    /**
     * Binds a UDP socket without SO_REUSEPORT to the port and closes it: that fails if any socket is
     * bound there, even one with SO_REUSEPORT that the group's sockets would otherwise join.
     */
    private static void refuseIfBound(String host, int port) throws BindException {
        InetSocketAddress at = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        try (DatagramSocket probe = new DatagramSocket(at)) {
            probe.getLocalPort();
        } catch (IOException inUse) {
            throw GroupCalls.inUse(host, port, "another socket is bound there; with SO_REUSEPORT the group's sockets"
                    + " would silently share its datagrams", inUse);
        }
    }

    /** Datagrams received so far per hub, in hub order: how evenly the kernel spread them. */
    public List<Long> receivedPerHub() {
        return ask(DatagramServer::received);
    }

    /** Handlers running now per hub, in hub order. */
    public List<Integer> handlersPerHub() {
        return ask(DatagramServer::handlers);
    }

    /** Datagrams received so far on every hub together. */
    public long received() {
        return receivedPerHub().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The per-hub counts and how evenly datagrams spread: the busiest hub's received count over the
     * mean (1.00 is perfectly even).
     */
    public String dump() {
        List<Integer> running = handlersPerHub();
        List<Long> received = receivedPerHub();
        StringBuilder sb = new StringBuilder("DatagramServer on ").append(address()).append(", ").append(hubs())
                .append(" hub(s) of ").append(group().name()).append(": ")
                .append(GroupCalls.spread(received, "no datagrams yet")).append('\n');
        appendPerHub(sb, i -> running.get(i) + " handling, " + received.get(i) + " received");
        return sb.toString();
    }

    /**
     * Stops the server on every hub at once (see {@link DatagramServer#stop}) and waits for all:
     * every hub's socket is closed when this returns.
     *
     * @param grace null: as long as handlers run; zero or negative: kill them at once
     * @return how many handlers had to be killed, on all hubs together
     */
    public int stop(Duration grace) {
        return stopAll(grace);
    }

    @Override
    dev.weft.fibers.Hub hubOf(DatagramServer server) {
        return server.hub();
    }

    @Override
    int stopOne(DatagramServer server, Duration grace) {
        return server.stop(grace);
    }
}
