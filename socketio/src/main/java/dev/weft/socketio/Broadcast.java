package dev.weft.socketio;

import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.socketio.internal.EnginePayload;
import dev.weft.socketio.internal.SioPacket;
import dev.weft.websocket.PreparedMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Who an emit goes to: the sockets of a namespace in any of the rooms named with {@link #to} (every
 * socket if none was named), minus those in a room named with {@link #except}. Immutable: each call
 * returns a new one. The packet is encoded once, its WebSocket frame too ({@link PreparedMessage}),
 * and put in each recipient's outbox; a slow recipient delays nobody (its own outbox fills, and then
 * it is disconnected). An emit to one room (or to everyone) walks that room's member snapshot, which
 * is rebuilt only when its membership changes; to several rooms, it gathers their members in a set
 * first (a socket in two of them gets the packet once).
 *
 * <p><b>Hubs.</b> Rooms are kept per hub ({@link SocketIoServer}): {@link #emit} delivers to the
 * members on the calling fiber's hub at once and hands the encoded packet to every other hub of the
 * server ({@link Hub#execute}), which delivers it to its own members without waiting for anything;
 * the broadcasts of one sender reach each hub, and so each recipient, in the order they were made.
 * A hub that has stopped is skipped (its clients are gone with it).
 *
 * <p>Thread rule: {@link #emit} from any thread or any hub's fiber; {@link #deliverLocally} and
 * {@link #recipients} in a fiber of a hub of the server (they see that hub's members).
 */
public final class Broadcast {
    private final Namespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;

    Broadcast(Namespace namespace, Set<String> rooms, Set<String> except) {
        this.namespace = namespace;
        this.rooms = rooms;
        this.except = except;
    }

    /** Also to the members of {@code room}. */
    public Broadcast to(String room) {
        Set<String> r = new LinkedHashSet<>(rooms);
        r.add(room);
        return new Broadcast(namespace, r, except);
    }

    /** Not to the members of {@code room}. */
    public Broadcast except(String room) {
        Set<String> e = new LinkedHashSet<>(except);
        e.add(room);
        return new Broadcast(namespace, rooms, e);
    }

    /** Not to {@code socket} (its own room). */
    public Broadcast except(SocketIoSocket socket) {
        return except(socket.id());
    }

    /** The rooms named with {@link #to} (empty: everyone). */
    public Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    /** The rooms named with {@link #except}. */
    public Set<String> exceptRooms() {
        return Set.copyOf(except);
    }

    /**
     * Sends event {@code name} with {@code args} to every recipient on this server (every hub), then
     * hands it to the namespace's remote fan-out (other processes), if one is set.
     */
    public void emit(String name, Object... args) {
        List<Object> packets = SioPacket.encode(SioPacket.EVENT, namespace.name(), -1, SocketIoSocket.eventData(name, args));
        deliverInProcess(packets);
        namespace.fanOutRemotely(this, packets);
    }

    /**
     * Delivers encoded {@code packets} to the recipients on every hub of the server: at once on the
     * calling fiber's hub, handed over to the others. Any thread. For a remote fan-out's receiving side.
     */
    public void deliverInProcess(List<Object> packets) {
        List<Object> prepared = prepare(packets);
        Hub here = SocketIoServer.hubHere();
        if (here != null) {
            deliverPrepared(prepared);
        }
        for (Hub hub : namespace.server().hubs()) {
            if (hub != here) {
                try {
                    hub.execute(() -> deliverPrepared(prepared));
                } catch (RejectedExecutionException stopped) {
                    // that hub has stopped: its clients are gone with it
                }
            }
        }
    }

    /**
     * Puts encoded {@code packets} (an Engine.IO message: the Socket.IO packet's text with the
     * message type {@code 4} in front, then its binary attachments) in the outbox of every recipient
     * on the calling fiber's hub; returns how many.
     */
    public int deliverLocally(List<Object> packets) {
        return deliverPrepared(prepare(packets));
    }

    /** {@link #deliverLocally} of packets made {@link PreparedMessage}s (once for every hub). */
    private int deliverPrepared(List<Object> prepared) {
        if (rooms.size() > 1) {
            List<SocketIoSocket> to = recipients();
            to.forEach(s -> s.send(prepared));
            return to.size();
        }
        SocketIoSocket[] members = rooms.isEmpty() ? namespace.socketsSnapshot()
                : namespace.rooms().snapshot(rooms.iterator().next());
        int n = 0;
        for (SocketIoSocket s : members) {
            if (except.isEmpty() || !s.inAnyOf(except)) {
                s.send(prepared);
                n++;
            }
        }
        return n;
    }

    /** {@code packets} (Strings and byte arrays, or prepared already) as {@link PreparedMessage}s. */
    private static List<Object> prepare(List<Object> packets) {
        List<Object> prepared = new ArrayList<>(packets.size());
        for (Object p : packets) {
            prepared.add(EnginePayload.prepared(p));
        }
        return prepared;
    }

    /**
     * How many sockets this reaches now on every hub of the server: the calling fiber's hub counts at
     * once, every other hub is asked, and the calling fiber parks (a plain thread blocks) until all
     * have answered. A hub that stops meanwhile counts none (its clients are gone with it). Any thread.
     */
    public int count() {
        Hub here = SocketIoServer.hubHere();
        int n = here == null ? 0 : recipients().size();
        List<CompletableFuture<Integer>> asked = new ArrayList<>();
        for (Hub hub : namespace.server().hubs()) {
            if (hub != here) {
                try {
                    asked.add(hub.submit(() -> recipients().size()));
                } catch (RejectedExecutionException stopped) {
                    // none there
                }
            }
        }
        for (CompletableFuture<Integer> f : asked) {
            try {
                n += here != null ? Futures.await(f) : f.join();
            } catch (CancellationException | CompletionException stopped) {
                // that hub stopped while counting
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return n;
    }

    /** The sockets this reaches on the calling fiber's hub. */
    public List<SocketIoSocket> recipients() {
        Set<SocketIoSocket> out = new LinkedHashSet<>();
        Rooms r = namespace.rooms();
        if (rooms.isEmpty()) {
            out.addAll(namespace.sockets());
        } else {
            for (String room : rooms) {
                out.addAll(r.members(room));
            }
        }
        for (String room : except) {
            r.members(room).forEach(out::remove);
        }
        return new ArrayList<>(out);
    }
}
