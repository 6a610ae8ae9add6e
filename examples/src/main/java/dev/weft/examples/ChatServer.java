package dev.weft.examples;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.fibers.QueueClosedException;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Seed program 4: a chat server with rooms, with socket.io's room semantics over a line protocol:
 * <pre>
 * NICK name          set your name (default user-N)
 * JOIN room          enter_room: you receive everything said in the room
 * LEAVE room         leave_room
 * SAY room text      emit to the room: every member gets "[room] name: text" (you too)
 * CLOSE room         close_room: everyone leaves it and gets "* room closed"
 * QUIT
 * </pre>
 * Each connection is two fibers: its handler reads commands, and a writer fiber drains the
 * connection's outbox {@link Queue} to the socket (one reader and one writer per socket).
 *
 * <p>Back-pressure: every outbox is bounded ({@value #OUTBOX} lines). A sender whose line finds a
 * member's outbox full waits (its reader stops reading, so TCP slows the sending client down) until
 * there is room: a burst of any size reaches every member who reads, complete and in order. A member
 * whose outbox stays full for {@code slowMemberTimeout} (default 10 s) has stopped reading: it is
 * disconnected, its rooms are told ("* bob was disconnected: not reading"), the server logs it, and
 * the senders go on. Nothing is dropped silently.
 *
 * <p>A client that resets its connection is one line in the log; one that closes it (or QUITs), none.
 *
 * <pre>./weft example chat [--backend nio|epoll|kqueue] [--port N]</pre>
 */
public final class ChatServer {
    private static final System.Logger LOG = System.getLogger(ChatServer.class.getName());
    /** Lines a member's outbox holds. */
    static final int OUTBOX = 1000;
    /** How long a full outbox may hold up senders before its member is disconnected. */
    static final Duration SLOW_MEMBER_TIMEOUT = Duration.ofSeconds(10);
    private final Map<String, Set<Client>> rooms = new LinkedHashMap<>();
    private final Duration slowMemberTimeout;
    private int nextUser = 1;

    private ChatServer(Duration slowMemberTimeout) {
        this.slowMemberTimeout = slowMemberTimeout;
    }

    /** One connected user: a name, a socket and an outbox. */
    private final class Client {
        String name;
        final TcpSocket socket;
        final Queue<String> outbox = new Queue<>(OUTBOX);
        /** Why it was disconnected, or null. */
        String evicted;

        Client(String name, TcpSocket socket) {
            this.name = name;
            this.socket = socket;
        }

        /**
         * Queues {@code line}; waits while the outbox is full, up to the slow-member timeout, and then
         * disconnects this member. Blocks the calling fiber (a sender's reader).
         */
        void send(String line) {
            if (evicted != null) {
                return;
            }
            try {
                if (!outbox.offer(line, slowMemberTimeout)) {
                    evict(this, "not reading (outbox full for " + slowMemberTimeout.toMillis() + " ms)");
                }
            } catch (QueueClosedException left) {
                // it left meanwhile
            }
        }
    }

    /** Starts a chat server on the current hub. */
    static StreamServer start(int port) throws IOException {
        return start(port, SLOW_MEMBER_TIMEOUT);
    }

    /** Starts a chat server on the current hub that disconnects a member not reading for {@code slowMemberTimeout}. */
    static StreamServer start(int port, Duration slowMemberTimeout) throws IOException {
        return start("127.0.0.1", port, slowMemberTimeout);
    }

    /** Starts a chat server on the current hub listening on {@code address} (an address literal). */
    static StreamServer start(String address, int port, Duration slowMemberTimeout) throws IOException {
        ChatServer chat = new ChatServer(slowMemberTimeout);
        return StreamServer.builder(chat::serve).bind(address, port).start();
    }

    private void serve(TcpSocket socket) throws IOException {
        Client me = new Client("user-" + nextUser++, socket);
        Fiber<Void> writer = Fiber.spawn("chat-writer", () -> writeLoop(me));
        try {
            me.send("* welcome, " + me.name);
            LineReader in = new LineReader(socket);
            for (String line; (line = in.readLine()) != null; ) {
                if (!command(me, line.trim())) {
                    break;
                }
            }
        } catch (IOException e) {
            if (me.evicted == null) {
                Examples.disconnected(LOG, socket, e); // a reset is one line; anything else goes on
            }
        } finally {
            for (String room : List.copyOf(rooms.keySet())) {
                leave(me, room);
            }
            me.outbox.close();
            writer.join(); // let it drain what is queued
        }
    }

    /** Drains {@code me}'s outbox to its socket, a batch of waiting lines per write. */
    private static void writeLoop(Client me) throws IOException {
        StringBuilder batch = new StringBuilder();
        try {
            while (true) {
                batch.setLength(0);
                batch.append(me.outbox.get()).append('\n');
                for (String more; batch.length() < 64 * 1024 && (more = me.outbox.poll()) != null; ) {
                    batch.append(more).append('\n');
                }
                me.socket.writeAll(batch.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (QueueClosedException done) {
            // drained
        } catch (IOException e) {
            if (me.evicted == null && !Examples.isDisconnect(e)) {
                throw e;
            } // a client that went away: its reader sees it too and says so
        }
    }

    /** Disconnects a member that stopped reading and tells its rooms. */
    private void evict(Client c, String why) {
        c.evicted = why;
        LOG.log(System.Logger.Level.INFO, c.name + " disconnected: " + why);
        c.outbox.close();
        c.socket.close(); // wakes its reader and writer
        for (String room : List.copyOf(rooms.keySet())) {
            Set<Client> members = rooms.get(room);
            if (members != null && members.remove(c)) {
                emit(room, "* " + c.name + " was disconnected: not reading");
                if (members.isEmpty()) {
                    rooms.remove(room);
                }
            }
        }
    }

    /** Runs one command; false to end the session. */
    private boolean command(Client me, String line) {
        String[] p = line.split(" ", 3);
        switch (p[0].toUpperCase(java.util.Locale.ROOT)) {
            case "NICK" -> {
                if (p.length < 2) {
                    me.send("! usage: NICK name");
                } else {
                    me.name = p[1];
                    me.send("* you are " + me.name);
                }
            }
            case "JOIN" -> {
                if (p.length < 2) {
                    me.send("! usage: JOIN room");
                } else {
                    rooms.computeIfAbsent(p[1], r -> new LinkedHashSet<>()).add(me);
                    emit(p[1], "* " + me.name + " joined " + p[1]);
                }
            }
            case "LEAVE" -> {
                if (p.length < 2) {
                    me.send("! usage: LEAVE room");
                } else {
                    leave(me, p[1]);
                    me.send("* you left " + p[1]);
                }
            }
            case "SAY" -> {
                if (p.length < 3) {
                    me.send("! usage: SAY room text");
                } else if (!rooms.getOrDefault(p[1], Set.of()).contains(me)) {
                    me.send("! you are not in " + p[1]);
                } else {
                    emit(p[1], "[" + p[1] + "] " + me.name + ": " + p[2]);
                }
            }
            case "CLOSE" -> {
                Set<Client> members = p.length < 2 ? null : rooms.remove(p[1]);
                if (members == null) {
                    me.send("! no room " + (p.length < 2 ? "" : p[1]));
                } else {
                    for (Client c : List.copyOf(members)) {
                        c.send("* " + p[1] + " closed");
                    }
                }
            }
            case "QUIT" -> {
                me.send("* bye");
                return false;
            }
            default -> me.send("! unknown command: " + p[0]);
        }
        return true;
    }

    private void leave(Client me, String room) {
        Set<Client> members = rooms.get(room);
        if (members != null && members.remove(me)) {
            emit(room, "* " + me.name + " left " + room);
            if (members.isEmpty()) {
                rooms.remove(room);
            }
        }
    }

    /**
     * Sends {@code line} to every member of {@code room}, waiting for room in full outboxes (see the
     * class comment). Members are taken from a copy: the room may change while a send waits.
     */
    private void emit(String room, String line) {
        for (Client c : List.copyOf(rooms.getOrDefault(room, Set.of()))) {
            c.send(line);
        }
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("chat", "[--port N]", args, 7789, Set.of(), false);
        Examples.serveUntilSignal(options, ChatServer::start, "chat (try: nc 127.0.0.1 PORT, then NICK, JOIN, SAY)");
    }
}
