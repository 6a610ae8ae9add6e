package dev.weft.socketio;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.socketio.internal.RespConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rooms across server processes through Redis pub/sub (what {@code @socket.io/redis-adapter} does
 * for the reference server): a broadcast on one server is delivered to its own members, then
 * published on a Redis channel; every other server subscribed to it delivers it to its members of
 * the same rooms. The packet is published encoded (its text and binary attachments), so receivers
 * do not encode it again.
 *
 * <p>The Redis client is a small RESP client on Weft's {@code TcpSocket} (two connections: one
 * publishes, one subscribes, in a fiber of its own), so nothing blocks the hub.
 *
 * <p><b>When Redis is gone.</b> A broadcast still reaches this server's members, and the emit then
 * throws {@link UncheckedIOException} naming Redis and what failed: the other servers did not get
 * it. The next broadcast connects again. The subscriber logs the loss once (WARNING) and reconnects
 * every {@code retry} until Redis is back (logged at INFO); broadcasts published meanwhile by other
 * servers are lost to this one (Redis pub/sub keeps nothing), as with the reference adapter.
 *
 * <p>Thread rule: create it in a fiber of a hub of the Socket.IO server, or on an ordinary thread
 * (the server on a group of hubs, bound on that thread): then it runs on a hub thread of its own
 * ({@code socket.io-redis-0}, a daemon), stopped by {@link #close()}. Its connections live on that
 * hub. A broadcast made on another hub or thread publishes through that hub (the emitting fiber or
 * thread waits for it); one received is delivered to the members on every hub of the server.
 */
public final class RedisAdapter implements Namespace.RemoteFanOut, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.weft.socketio");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

    private final SocketIoServer server;
    private final String host;
    private final int port;
    private final String channel;
    private final Duration retry;
    private final String uid;
    private final Fiber<Void> subscriber;
    private final Hub hub;
    /** The hub of its own when started on an ordinary thread; else null. */
    private HubGroup ownHub;
    private RespConnection publisher;
    private volatile boolean subscribed;
    private boolean closed;

    private RedisAdapter(SocketIoServer server, String host, int port, String channel, Duration retry) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.channel = channel;
        this.retry = retry;
        this.uid = server.newId();
        this.hub = Hub.current();
        this.subscriber = Fiber.spawn("socket.io redis subscriber " + host + ":" + port, this::subscribeLoop);
    }

    /**
     * Connects {@code namespaces} of {@code server} to the Redis at {@code host:port} on the channel
     * {@code channel} (servers that share rooms use the same channel). Returns at once; the
     * subscription is made in the background ({@link #isSubscribed()}).
     */
    public static RedisAdapter start(SocketIoServer server, String host, int port, String channel, Duration retry,
                                     String... namespaces) {
        RedisAdapter a;
        if (Fiber.inFiber()) {
            a = new RedisAdapter(server, host, port, channel, retry);
        } else {
            HubGroup own = HubGroup.start(null, 1, "socket.io-redis", true);
            try {
                a = own.hubs().get(0).submit(() -> new RedisAdapter(server, host, port, channel, retry)).join();
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
            a.ownHub = own;
        }
        for (String n : namespaces.length == 0 ? new String[] {"/"} : namespaces) {
            server.of(n).remoteFanOut(a);
        }
        return a;
    }

    /** Whether the subscriber is connected and subscribed now. */
    public boolean isSubscribed() {
        return subscribed;
    }

    @Override
    public void publish(Namespace namespace, Broadcast to, List<Object> packets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uid", uid);
        m.put("nsp", namespace.name());
        m.put("rooms", to.rooms());
        m.put("except", to.exceptRooms());
        List<String> encoded = new ArrayList<>(packets.size());
        for (Object p : packets) {
            encoded.add(p instanceof byte[] b ? "b" + Base64.getEncoder().encodeToString(b) : "s" + p);
        }
        m.put("packets", encoded);
        String payload;
        try {
            payload = JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (SocketIoServer.hubHere() == hub) {
            publish(payload);
            return;
        }
        try { // the publishing connection belongs to the adapter's hub
            java.util.concurrent.CompletableFuture<Void> done = hub.submit(() -> {
                publish(payload);
                return null;
            });
            if (Fiber.inFiber()) {
                Futures.await(done);
            } else {
                done.join();
            }
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(String payload) {
        try {
            if (publisher == null) {
                publisher = RespConnection.connect(host, port, CONNECT_TIMEOUT);
                publisher.timeout(IO_TIMEOUT);
            }
            publisher.call("PUBLISH", channel, payload);
        } catch (IOException e) {
            if (publisher != null) {
                publisher.close();
                publisher = null;
            }
            throw new UncheckedIOException("the broadcast reached this server's members, but publishing it to redis "
                    + host + ":" + port + " failed (" + e.getMessage() + "): the other servers did not get it", e);
        }
    }

    private void subscribeLoop() {
        boolean lost = false;
        while (!closed) {
            try (RespConnection c = RespConnection.connect(host, port, CONNECT_TIMEOUT)) {
                c.timeout(IO_TIMEOUT);
                c.call("SUBSCRIBE", channel);
                c.timeout(null); // a quiet channel is not an error
                subscribed = true;
                if (lost) {
                    LOG.log(System.Logger.Level.INFO, "socket.io redis adapter: subscribed again to " + channel + " on "
                            + host + ":" + port);
                    lost = false;
                }
                while (true) {
                    Object reply = c.read();
                    if (reply instanceof List<?> l && l.size() == 3 && "message".equals(l.get(0))) {
                        deliver((String) l.get(2));
                    }
                }
            } catch (IOException e) {
                subscribed = false;
                if (!lost && !closed) {
                    LOG.log(System.Logger.Level.WARNING, "socket.io redis adapter: lost redis " + host + ":" + port + " ("
                            + e.getMessage() + "); broadcasts of other servers do not arrive until it is back;"
                            + " retrying every " + retry.toMillis() + " ms");
                    lost = true;
                }
            }
            if (!closed) {
                Fiber.sleep(retry);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void deliver(String payload) {
        Map<String, Object> m;
        try {
            m = JSON.readValue(payload, Map.class);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "socket.io redis adapter: dropped a malformed message on " + channel, e);
            return;
        }
        if (uid.equals(m.get("uid"))) {
            return; // our own
        }
        Namespace ns = server.namespace((String) m.get("nsp"));
        if (ns == null) {
            return;
        }
        List<Object> packets = new ArrayList<>();
        for (String p : (List<String>) m.get("packets")) {
            packets.add(p.charAt(0) == 'b' ? Base64.getDecoder().decode(p.substring(1)) : p.substring(1));
        }
        ns.broadcast(Set.copyOf((List<String>) m.get("rooms")), Set.copyOf((List<String>) m.get("except")))
                .deliverInProcess(packets);
    }

    /**
     * Stops subscribing and closes both connections; stops its own hub if it has one. On its hub, or
     * on any other thread or hub (which then waits until it is done).
     */
    @Override
    public void close() {
        if (SocketIoServer.hubHere() != hub) {
            try {
                java.util.concurrent.CompletableFuture<Void> done = hub.submit(() -> {
                    closeHere();
                    return null;
                });
                if (Fiber.inFiber()) {
                    Futures.await(done);
                } else {
                    done.join();
                }
            } catch (java.util.concurrent.RejectedExecutionException | java.util.concurrent.CancellationException hubEnded) {
                // its hub has closed, and its connections with it
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing the socket.io redis adapter failed on its hub", e);
            } finally {
                if (ownHub != null) {
                    ownHub.close();
                }
            }
            return;
        }
        closeHere();
    }

    private void closeHere() {
        closed = true;
        subscriber.kill();
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }
}
