package dev.weft.socketio;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Queue;
import dev.weft.socketio.internal.EngineSession;
import dev.weft.socketio.internal.SioPacket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Socket.IO side of one Engine.IO session: decodes packets (reassembling binary ones), keeps the
 * client's sockets (one per namespace it joined) and runs their handlers in one fiber of its own, in
 * the order the packets came. Acknowledgements are completed by the reader at once, so that a
 * handler waiting for one ({@link SocketIoSocket#emitWithAck}) is not waiting for itself.
 *
 * <p>Thread rule: the hub of the client's session.
 */
final class Client implements EngineSession.Listener {
    private static final System.Logger LOG = System.getLogger("dev.weft.socketio");
    /** Packets read and not yet handled; a reader blocks beyond this (backpressure on the client). */
    private static final int INBOUND = 256;
    private static final Runnable END = () -> { };
    /** The close reason of a client that joined no namespace within the server's connectTimeout. */
    static final String CONNECT_TIMEOUT = "connect timeout";

    private final SocketIoServer server;
    private final EngineSession session;
    private final HandshakeInfo handshake;
    private final Map<String, SocketIoSocket> sockets = new LinkedHashMap<>();
    private final Queue<Runnable> tasks = new Queue<>(INBOUND);
    /** Closes the session if no namespace admitted it in time; killed at the first admission or at the end. */
    private Fiber<?> connectDeadline;
    private SioPacket partial;
    private List<byte[]> buffers;

    Client(SocketIoServer server, EngineSession session, HandshakeInfo handshake) {
        this.server = server;
        this.session = session;
        this.handshake = handshake;
        session.listener(this);
        Fiber.spawn("socket.io client " + session.sid(), this::dispatch);
        connectDeadline = Fiber.spawnLater(server.connectTimeout(), () -> {
            if (sockets.isEmpty() && !session.isClosed()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + session.sid() + " joined no namespace within "
                        + server.connectTimeout() + ": closed");
                session.closeGracefully(CONNECT_TIMEOUT);
            }
            return null;
        });
    }

    EngineSession session() {
        return session;
    }

    private void dispatch() {
        while (true) {
            Runnable task = tasks.get();
            if (task == END) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a Socket.IO handler of client " + session.sid() + " failed", e);
            }
        }
    }

    @Override
    public void onMessage(Object message) {
        SioPacket packet;
        try {
            if (message instanceof byte[] bytes) {
                if (partial == null) {
                    throw new IllegalArgumentException("a binary message that no packet announced");
                }
                buffers.add(bytes);
                if (buffers.size() < partial.attachments()) {
                    return;
                }
                packet = partial.withAttachments(buffers);
                partial = null;
                buffers = null;
            } else {
                if (partial != null) {
                    throw new IllegalArgumentException("a text packet while " + (partial.attachments() - buffers.size())
                            + " attachments are still due");
                }
                packet = SioPacket.parse((String) message);
                if (packet.attachments() > 0) {
                    partial = packet;
                    buffers = new ArrayList<>(packet.attachments());
                    return;
                }
            }
        } catch (IllegalArgumentException bad) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + session.sid() + " sent an invalid packet: " + bad.getMessage());
            session.close("parse error");
            return;
        }
        handle(packet);
    }

    private void handle(SioPacket p) {
        SocketIoSocket socket = sockets.get(p.namespace());
        switch (p.type()) {
            case SioPacket.CONNECT -> tasks.put(() -> connect(p));
            case SioPacket.ACK -> {
                if (socket != null) {
                    socket.acked(p.ackId(), list(p.data()));
                }
            }
            case SioPacket.EVENT -> {
                if (socket != null) {
                    tasks.put(() -> socket.dispatchEvent(list(p.data()), p.ackId()));
                }
            }
            case SioPacket.DISCONNECT -> {
                if (socket != null) {
                    tasks.put(() -> socket.ended(SocketIoSocket.CLIENT_NAMESPACE_DISCONNECT, false));
                }
            }
            default -> session.close("parse error");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object data) {
        return (List<Object>) data;
    }

    private void connect(SioPacket p) {
        if (session.isClosed()) {
            return;
        }
        Namespace nsp = server.namespace(p.namespace());
        if (nsp == null) {
            session.send(SioPacket.encode(SioPacket.CONNECT_ERROR, p.namespace(), -1, Map.of("message", "Invalid namespace")));
            return;
        }
        if (sockets.containsKey(p.namespace())) {
            return; // already connected (a client retrying)
        }
        SocketIoSocket socket = new SocketIoSocket(nsp, this, server.newId(), p.data(), handshake);
        sockets.put(p.namespace(), socket);
        if (!nsp.admit(socket)) {
            sockets.remove(p.namespace());
        } else if (connectDeadline != null) {
            connectDeadline.kill();
            connectDeadline = null;
        }
    }

    /** A socket of this client left its namespace. */
    void removed(SocketIoSocket socket) {
        sockets.remove(socket.namespace().name(), socket);
    }

    @Override
    public void onClose(String reason) {
        if (!tasks.offer(() -> closeAll(reason))) {
            Fiber.spawn(() -> tasks.put(() -> closeAll(reason)));
        }
    }

    private void closeAll(String reason) {
        if (connectDeadline != null) {
            connectDeadline.kill();
            connectDeadline = null;
        }
        for (SocketIoSocket s : new ArrayList<>(sockets.values())) {
            s.ended(reason, false);
        }
        tasks.put(END);
    }
}
