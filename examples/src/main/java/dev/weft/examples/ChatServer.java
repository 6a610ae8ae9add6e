package dev.weft.examples;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.fibers.QueueClosedException;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * connection's outbox {@link Queue} to the socket (one reader and one writer per socket), so a slow
 * client never blocks anyone else.
 *
 * <pre>./weft example chat [--backend nio|epoll|kqueue] [--port N]</pre>
 */
public final class ChatServer {
    private final Map<String, Set<Client>> rooms = new LinkedHashMap<>();
    private int nextUser = 1;

    /** One connected user: a name and an outbox. */
    private static final class Client {
        String name;
        final Queue<String> outbox = new Queue<>(1000);

        Client(String name) {
            this.name = name;
        }

        void send(String line) {
            if (!outbox.offer(line)) {
                outbox.close(); // too slow to keep up: drop the client rather than the server
            }
        }
    }

    /** Starts a chat server on the current hub. */
    static StreamServer start(int port) throws IOException {
        ChatServer chat = new ChatServer();
        return StreamServer.builder(chat::serve).bind("127.0.0.1", port).start();
    }

    private void serve(TcpSocket socket) throws IOException {
        Client me = new Client("user-" + nextUser++);
        Fiber<Void> writer = Fiber.spawn("chat-writer", () -> {
            try {
                while (true) {
                    socket.writeAll((me.outbox.get() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (QueueClosedException done) {
                return null;
            }
        });
        try {
            me.send("* welcome, " + me.name);
            LineReader in = new LineReader(socket);
            for (String line; (line = in.readLine()) != null; ) {
                if (!command(me, line.trim())) {
                    break;
                }
            }
        } finally {
            for (String room : List.copyOf(rooms.keySet())) {
                leave(me, room);
            }
            me.outbox.close();
            writer.join(); // let it drain what is queued
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
                    for (Client c : members) {
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

    /** Sends {@code line} to every member of {@code room}. */
    private void emit(String room, String line) {
        for (Client c : rooms.getOrDefault(room, Set.of())) {
            c.send(line);
        }
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("chat", "[--port N]", args, 7789, Set.of(), false);
        Examples.serveUntilSignal(options, ChatServer::start, "chat (try: nc 127.0.0.1 PORT, then NICK, JOIN, SAY)");
    }
}
