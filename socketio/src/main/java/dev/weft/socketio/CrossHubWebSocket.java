package dev.weft.socketio;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.QueueClosedException;
import dev.weft.fibers.SharedQueue;
import dev.weft.socketio.internal.EnginePayload;
import dev.weft.socketio.internal.EngineSession;
import dev.weft.socketio.internal.PacketSink;
import dev.weft.websocket.CloseCodes;
import dev.weft.websocket.Message;
import dev.weft.websocket.PreparedMessage;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import java.io.IOException;
import java.util.List;

/**
 * A WebSocket accepted by one hub of the server that carries an Engine.IO session living on another
 * hub (a client's polling requests and its upgrade may each land on any hub: the kernel picks the
 * hub that accepts a connection). The connection stays with the fibers of the hub that accepted it
 * and the session with its own hub; packets cross between them through two bounded {@link
 * SharedQueue}s, in order:
 * <ul>
 *   <li>out: the session's writer fiber (its hub) puts each batch of packets, a writer fiber of the
 *       WebSocket's hub sends it; a full queue blocks the session's writer, so the session's outbox
 *       fills and its {@code maxOutboxPackets} rule applies unchanged;
 *   <li>in: the WebSocket's reader (the exchange's fiber) puts each packet it received, a fiber of
 *       the session's hub hands it to the session (a full queue blocks the reader: backpressure on
 *       the client, as on one hub); the end of the WebSocket goes the same way, after the packets.
 * </ul>
 * Closing the sink (the session ended) closes both queues: the WebSocket's writer sends what was
 * queued, then closes the WebSocket with the session's code and reason; the reader's next put
 * fails and it ends.
 *
 * <p>Thread rule: {@link #send}, {@link #close}, {@link #isOpen} and {@link #startDelivering} on the
 * session's hub; {@link #serve} in the WebSocket's exchange fiber on its own hub.
 */
final class CrossHubWebSocket implements PacketSink {
    private static final int DEPTH = 64;

    /** The WebSocket ended on its hub, with the session's close reason. */
    private record Ended(String reason) {
    }

    private final WebSocket ws;
    private final EngineSession session;
    private final SharedQueue<List<PreparedMessage>> out = new SharedQueue<>(DEPTH);
    private final SharedQueue<Object> in = new SharedQueue<>(DEPTH);
    private volatile int closeCode = CloseCodes.NORMAL;
    private volatile String closeReason = "";

    CrossHubWebSocket(WebSocket ws, EngineSession session) {
        this.ws = ws;
        this.session = session;
    }

    // ---------------------------------------------------------------- the session's hub

    @Override
    public void send(List<PreparedMessage> packets) throws IOException {
        try {
            out.put(List.copyOf(packets)); // the caller reuses its list
        } catch (QueueClosedException closed) {
            throw new IOException("the WebSocket of session " + session.sid() + " (on another hub) is closed");
        }
    }

    @Override
    public void close(int code, String reason) {
        if (out.isClosed()) {
            return;
        }
        closeCode = code;
        closeReason = reason;
        out.close();
        in.close();
    }

    @Override
    public boolean isOpen() {
        return !out.isClosed();
    }

    /** Starts the fiber that hands received packets to the session, in order. The session's hub. */
    void startDelivering() {
        Fiber.spawn("engine.io inbound " + session.sid(), () -> {
            try {
                while (true) {
                    Object p = in.get();
                    if (session.isClosed()) {
                        return;
                    }
                    if (p instanceof Ended e) {
                        session.webSocketEnded(this, e.reason());
                        return;
                    }
                    session.receive(p);
                }
            } catch (QueueClosedException sessionEnded) {
                // the session closed the sink
            }
        });
    }

    // ---------------------------------------------------------------- the WebSocket's hub

    /** Reads the WebSocket until it or the session ends, with a writer fiber alongside. The exchange's fiber. */
    void serve() {
        Fiber<Void> writer = Fiber.spawn("engine.io writer (hand-off) " + session.sid(), () -> {
            try {
                while (true) {
                    ws.send(out.get());
                }
            } catch (QueueClosedException sessionEnded) {
                // sent what was queued
            } catch (IOException e) {
                ended("transport error");
            } finally {
                ws.close(closeCode, closeReason); // also ends the reader
            }
            return null;
        });
        try {
            while (true) {
                Message m = ws.receive();
                in.put(m instanceof Message.Text t ? EnginePayload.decodeOne(t.text()) : ((Message.Binary) m).data());
            }
        } catch (IllegalArgumentException bad) {
            ended("parse error");
        } catch (WebSocketClosedException closed) {
            ended("transport close");
        } catch (IOException e) {
            ended("transport error");
        } catch (QueueClosedException sessionEnded) {
            // the session closed: the writer closes the WebSocket
        } finally {
            out.close(); // the writer sends what is queued (if it still can), closes the WebSocket and ends
            writer.join();
        }
    }

    private void ended(String reason) {
        try {
            in.put(new Ended(reason));
        } catch (QueueClosedException sessionEnded) {
            // it knows
        }
    }

    @Override
    public String toString() {
        return "CrossHubWebSocket(" + session.sid() + ", " + ws + ")";
    }
}
