package dev.weft.sockets;

import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A {@link StreamServer} on every hub of a {@link HubGroup}. In {@link AcceptMode#REUSE_PORT} (the
 * default on Linux): one listening socket per hub on the same port with {@code SO_REUSEPORT}, so
 * the kernel spreads new connections over the hubs (Linux balances by a hash of the connection's addresses, on every backend: epoll, io_uring and nio); a
 * connection is served by fibers of the hub that accepted it, for its whole life. Started by
 * {@link StreamServer.Builder#startOn}.
 *
 * <p>Limits across the group: {@code maxConnections} is shared out between the hubs (each hub admits
 * at most its share, {@code max / hubs} rounded up for the first {@code max % hubs} hubs), so the
 * group never holds more than {@code maxConnections}; a hub that is full leaves the rest of its
 * kernel queue waiting even if another hub has room. {@code maxConnectionsPerPeer} holds per hub.
 *
 * <p>A port that another program already listens on is refused ({@link BindException}), even if
 * that program set {@code SO_REUSEPORT} too: a probe bind without the option comes first, so a
 * second copy of a server does not silently take half of the connections.
 *
 * <p>Stop: {@link #stop(Duration)} stops every hub's server at once (each stops accepting, closes
 * its listener, waits up to the grace for its connections, kills the rest); stopping the group
 * ({@link HubGroup#stop}) does the same with the group's grace.
 *
 * <p>{@link AcceptMode#HANDOFF} (the default where the kernel does not balance: macOS and the BSDs
 * give every connection to one socket, Windows lacks the option; {@code -Dweft.acceptMode=handoff} or
 * {@link StreamServer.Builder#acceptMode} elsewhere): one listener on hub 0, whose accept fiber hands
 * each connection to the least-loaded hub with room (see {@link AcceptMode}); the hub registers the
 * socket with its own backend and serves it. {@code maxConnections}, its shares and the stop hold
 * as above (a hub is never handed more than its share); a connection handed to a hub that is
 * stopping or has shut down is closed and counted ({@link #closedInHandOff()}). Not on the
 * simulation backend (it cannot move a socket between pollers). {@code reclaimWhenFull} is not
 * asked in this mode: while every hub is full, new connections wait in the kernel backlog.
 *
 * <p>Thread rule: any thread. The queries ask each hub and wait for its answer (in a fiber they park
 * it; on a thread they block it); from a fiber of one of the group's own hubs, the answer for that
 * hub is read directly.
 */
public final class StreamServerGroup extends ServerGroup<StreamServer> {
    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());

    private final AcceptMode mode;
    /** Null in REUSE_PORT mode. */
    private final HandOff handOff;

    private StreamServerGroup(HubGroup group, List<StreamServer> servers, AcceptMode mode, HandOff handOff) {
        super(group, servers, servers.get(0).address());
        this.mode = mode;
        this.handOff = handOff;
    }

    /**
     * Starts a server on every hub of {@code group}, each from the builder {@code builderOnHub}
     * makes for it, called on that hub's thread in a fiber (so it may make per-hub state for its
     * handler, such as a per-hub connection registry). Hub 0's builder gives the address; every hub
     * listens on its port with SO_REUSEPORT whatever the builders say, and each hub's
     * {@code maxConnections} is shared out as the class comment says. {@link StreamServer.Builder#startOn}
     * is this with one builder for all hubs. Any thread; in a fiber it parks that fiber.
     *
     * @throws BindException if the port is in use, also by a program that shares ports
     * @throws IOException if a hub cannot bind (the hubs that did are stopped first)
     */
    public static StreamServerGroup start(HubGroup group, IntFunction<StreamServer.Builder> builderOnHub) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(builderOnHub, "builderOnHub");
        int hubs = group.size();
        List<StreamServer> started = new ArrayList<>();
        int port = 0;
        AcceptMode[] mode = new AcceptMode[1]; // hub 0's builder says; read after hub 0's answer
        HandOff[] handOff = new HandOff[1];
        try {
            for (int i = 0; i < hubs; i++) {
                int index = i;
                int bindTo = port;
                InetSocketAddress first = started.isEmpty() ? null : started.get(0).address();
                StreamServer s = GroupCalls.callOn(group, i, () -> {
                    StreamServer.Builder b = Objects.requireNonNull(builderOnHub.apply(index), "the builder for hub " + index);
                    int max = b.maxConnections();
                    int share = max == Integer.MAX_VALUE ? Integer.MAX_VALUE : max / hubs + (index < max % hubs ? 1 : 0);
                    if (share == 0) {
                        return null; // fewer connections allowed than hubs: this hub would never admit one
                    }
                    if (index == 0) {
                        mode[0] = b.acceptModeOrDefault();
                        handOff[0] = mode[0] == AcceptMode.HANDOFF ? new HandOff(group) : null;
                    }
                    StreamServer server;
                    if (handOff[0] != null) {
                        server = index == 0 ? new StreamServer(b, b.port(), false, share, handOff[0])
                                : new StreamServer(b, first, share, handOff[0], index);
                    } else {
                        int listenOn = index == 0 ? b.port() : bindTo;
                        if (index == 0 && listenOn != 0) {
                            refuseIfListenedOn(b.host(), listenOn);
                        }
                        server = new StreamServer(b, listenOn, true, share, null);
                    }
                    group.onStop(server::stop);
                    return server;
                });
                if (s == null) {
                    break;
                }
                started.add(s);
                port = s.port(); // port 0: the first hub's port is everyone's
            }
        } catch (IOException | RuntimeException | Error e) {
            stopStarted(group, started, StreamServer::hub, StreamServer::stop, e);
            throw e;
        }
        StreamServerGroup g = new StreamServerGroup(group, started, mode[0], handOff[0]);
        LOG.log(System.Logger.Level.INFO, () -> "StreamServer on " + g.address() + ": accepting on " + started.size()
                + " hub(s) of " + group.name() + (handOff[0] == null ? " (one SO_REUSEPORT listener per hub"
                : " (one acceptor on hub 0 handing connections to the least-loaded hub") + ", backend "
                + group.hubs().get(0).backendName() + ")");
        return g;
    }

    /**
     * Binds (without listening) a socket without SO_REUSEPORT to the port and closes it: that fails
     * if anything listens there, even a program that set SO_REUSEPORT, which the group's listeners
     * would otherwise join. SO_REUSEADDR is on, so connections of an earlier run in TIME_WAIT do not
     * count. (A program that starts listening between this probe and the bind can still join.)
     */
    private static void refuseIfListenedOn(String host, int port) throws BindException {
        try (Socket probe = new Socket()) {
            probe.setReuseAddress(true);
            probe.bind(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
        } catch (IOException inUse) {
            throw GroupCalls.inUse(host, port, "another program listens there; with SO_REUSEPORT the group's listeners"
                    + " would silently share the port with it", inUse);
        }
    }

    /** How connections reach the hubs. */
    public AcceptMode acceptMode() {
        return mode;
    }

    /**
     * In {@link AcceptMode#HANDOFF}: connections accepted but closed before a handler ran, because the
     * hub they were handed to was stopping or had shut down (0 in {@code REUSE_PORT} mode). Any thread.
     */
    public long closedInHandOff() {
        return handOff == null ? 0 : handOff.closedUnserved();
    }

    /** Open connections per hub, in hub order. */
    public List<Integer> connectionsPerHub() {
        return ask(StreamServer::connections);
    }

    /** Connections accepted so far per hub, in hub order: how evenly the kernel spread them. */
    public List<Long> acceptedPerHub() {
        return ask(StreamServer::accepted);
    }

    /** Open connections on every hub together. */
    public int connections() {
        return connectionsPerHub().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The per-hub counts and how evenly connections spread: the busiest hub's accepted count over
     * the mean (1.00 is perfectly even).
     */
    public String dump() {
        List<Integer> open = connectionsPerHub();
        List<Long> accepted = acceptedPerHub();
        String spread = GroupCalls.spread(accepted, "no connections yet");
        StringBuilder sb = new StringBuilder("StreamServer on ").append(address()).append(", ").append(hubs())
                .append(" hub(s) of ").append(group().name()).append(", ").append(mode).append(": ").append(spread);
        if (handOff != null) {
            sb.append(", ").append(handOff.closedUnserved()).append(" closed in hand-off");
        }
        sb.append('\n');
        appendPerHub(sb, i -> open.get(i) + " open, " + accepted.get(i) + " accepted");
        return sb.toString();
    }

    /**
     * Stops the server on every hub at once (see {@link StreamServer#stop}) and waits for all.
     *
     * @param grace null: as long as connections run; zero or negative: kill them at once
     * @return how many connections had to be killed, on all hubs together
     */
    public int stop(Duration grace) {
        return stopAll(grace);
    }

    @Override
    Hub hubOf(StreamServer server) {
        return server.hub();
    }

    @Override
    int stopOne(StreamServer server, Duration grace) {
        return server.stop(grace);
    }
}
