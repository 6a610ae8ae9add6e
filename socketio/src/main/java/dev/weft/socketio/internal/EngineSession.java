package dev.weft.socketio.internal;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.websocket.CloseCodes;
import dev.weft.websocket.PreparedMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One Engine.IO v4 session: its id, its bounded outbox, the transport that carries it (HTTP
 * long-polling, then WebSocket after an upgrade, or WebSocket from the start) and the server's
 * heartbeat (a ping every {@code pingInterval}; no pong within {@code pingTimeout} closes it).
 *
 * <p>Sending never blocks: packets go to the outbox, which the current transport drains (a
 * polling GET takes all there are; on WebSocket a writer fiber sends them one by one). A client
 * whose outbox reaches its limit cannot keep up: the session closes with the reason {@value
 * #OUTBOX_FULL}, nothing is dropped while it is open.
 *
 * <p>Thread rule: the hub where the session was created, its handshake's hub ({@link #hub()}; every
 * method, from any of its fibers). A request of the session that another hub of the server accepted
 * hands its work to this hub (see {@code EngineEndpoint}).
 */
public final class EngineSession {
    /** The close reason of a client that did not read fast enough. */
    public static final String OUTBOX_FULL = "outbox full";
    private static final System.Logger LOG = System.getLogger("dev.weft.socketio");
    /** The Engine.IO close packet. */
    private static final String CLOSE = "1";
    /** The most packets the WebSocket writer takes from the outbox for one send. */
    private static final int WRITE_BATCH = 64;

    /** What the session tells the layer above. */
    public interface Listener {
        /** A message arrived: a String (text, without the Engine.IO type) or a byte[]. Reader's fiber; may block (backpressure). */
        void onMessage(Object message);

        /** The session ended (once). */
        void onClose(String reason);
    }

    private final String sid;
    private final Hub hub = Hub.current();
    private final EngineSettings settings;
    private final Runnable onEnd;
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();
    private final Event outReady = new Event();
    private final Event pong = new Event();
    private Listener listener;
    private PacketSink ws;
    private Fiber<?> writer;
    private Fiber<?> heartbeat;
    /** Ends a graceful close that the client does not complete; killed when the session ends first. */
    private Fiber<?> closeDeadline;
    /** Packets the WebSocket writer took from the outbox and is writing now (they still count against the limit). */
    private int writing;
    private boolean polling;
    private boolean pollPending;
    private boolean upgrading;
    private boolean closing;
    private String closeReason;

    public EngineSession(String sid, EngineSettings settings, Runnable onEnd) {
        this.sid = sid;
        this.settings = settings;
        this.onEnd = onEnd;
    }

    public String sid() {
        return sid;
    }

    /** The hub the session lives on (where it was created). Any thread. */
    public Hub hub() {
        return hub;
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    /** The open packet of this session. */
    public String openPacket(boolean canUpgrade) {
        return "0{\"sid\":\"" + sid + "\",\"upgrades\":" + (canUpgrade ? "[\"websocket\"]" : "[]") + ",\"pingInterval\":"
                + settings.pingInterval().toMillis() + ",\"pingTimeout\":" + settings.pingTimeout().toMillis()
                + ",\"maxPayload\":" + settings.maxHttpBufferSize() + "}";
    }

    /** Starts on HTTP long-polling (the open packet is the handshake's response). */
    public void startPolling() {
        polling = true;
        startHeartbeat();
    }

    /** Starts on {@code socket} directly: sends the open packet first. */
    public void startWebSocket(PacketSink socket) {
        outbox.addFirst(openPacket(false));
        switchTo(socket);
        startHeartbeat();
    }

    private void startHeartbeat() {
        heartbeat = Fiber.spawn("engine.io heartbeat " + sid, () -> {
            while (!isClosed()) {
                Fiber.sleep(settings.pingInterval());
                pong.clear();
                send("2");
                if (!pong.await(settings.pingTimeout()) && !isClosed()) {
                    close("ping timeout");
                }
            }
        });
    }

    public boolean isClosed() {
        return closeReason != null;
    }

    /**
     * Queues packets (Strings, byte arrays, or {@link PreparedMessage}s of either, in order); does
     * nothing once closing. Never blocks.
     */
    public void send(List<Object> packets) {
        for (Object p : packets) {
            send(p);
        }
    }

    /** Queues one packet; see {@link #send(List)}. */
    public void send(Object packet) {
        if (closing || isClosed()) {
            return;
        }
        if (outboxSize() >= settings.maxOutboxPackets()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "engine.io session " + sid + " closed: " + outboxSize()
                    + " packets wait for the client (maxOutboxPackets " + settings.maxOutboxPackets() + ")");
            close(OUTBOX_FULL);
            return;
        }
        outbox.add(packet);
        outReady.set();
    }

    /** Packets waiting for the client now (queued, or taken by the WebSocket writer and not written yet). */
    public int outboxSize() {
        return outbox.size() + writing;
    }

    /** An Engine.IO packet from the client (either transport). */
    public void receive(Object packet) {
        if (packet instanceof byte[] binary) {
            listener.onMessage(binary);
            return;
        }
        String p = (String) packet;
        switch (p.charAt(0)) {
            case '3' -> pong.set();
            case '4' -> listener.onMessage(p.substring(1));
            case '1' -> close("transport close");
            case '6', '2' -> {
                // noop; a client ping is not part of EIO4 outside the probe
            }
            default -> close("parse error");
        }
    }

    // ---------------------------------------------------------------- polling

    /**
     * A polling GET: waits until packets are queued (the heartbeat sends one every pingInterval), takes
     * them all and returns the payload.
     *
     * @throws IllegalStateException if the session is not polling or another GET is pending (the session is closed)
     */
    public String poll() {
        if (!polling || pollPending) {
            String why = !polling ? "a polling request on a session that upgraded to websocket"
                    : "a second polling GET while one is pending";
            close("transport error");
            throw new IllegalStateException(why);
        }
        pollPending = true;
        try {
            while (outbox.isEmpty() && !isClosed()) {
                outReady.clear();
                outReady.await();
            }
            if (outbox.isEmpty()) {
                return "1"; // closed while waiting: tell the client
            }
            List<Object> all = new ArrayList<>(outbox.size());
            while (!outbox.isEmpty()) {
                if (closing && CLOSE.equals(outbox.peek()) && !all.isEmpty()) {
                    // the close packet in a response of its own, as the reference server sends it: the
                    // client handles the packets before it first (socket.io-client defers a packet's
                    // handling, so a DISCONNECT read with the close would be reported as "transport close")
                    break;
                }
                all.add(outbox.poll());
            }
            if (closing && all.size() == 1 && CLOSE.equals(all.get(0))) {
                end(closeReasonOrDefault());
            }
            return EnginePayload.encode(all);
        } finally {
            pollPending = false;
        }
    }

    // ---------------------------------------------------------------- websocket

    /** A probe on {@code socket} answered: the polling transport is told to stop (a noop ends its pending GET). */
    public boolean beginUpgrade() {
        if (!polling || upgrading || isClosed()) {
            return false;
        }
        upgrading = true;
        send("6");
        return true;
    }

    /** The client's upgrade packet arrived on {@code socket}: from now on it carries the session. */
    public void switchTo(PacketSink socket) {
        polling = false;
        upgrading = false;
        ws = socket;
        outReady.set(); // a GET still pending returns what is there
        writer = Fiber.spawn("engine.io writer " + sid, this::writeLoop);
    }

    /** Sends what is queued, up to {@value #WRITE_BATCH} packets at a time (small ones together go in one write). */
    private void writeLoop() {
        List<PreparedMessage> batch = new ArrayList<>();
        try {
            while (true) {
                while (outbox.isEmpty()) {
                    if (isClosed()) {
                        return;
                    }
                    outReady.clear();
                    outReady.await();
                }
                batch.clear();
                Object p = null;
                while (!outbox.isEmpty() && batch.size() < WRITE_BATCH) {
                    p = outbox.poll();
                    batch.add(EnginePayload.prepared(p));
                }
                writing = batch.size();
                try {
                    ws.send(batch);
                } finally {
                    writing = 0;
                }
                if (closing && outbox.isEmpty() && CLOSE.equals(p)) {
                    end(closeReasonOrDefault());
                    ws.close(CloseCodes.NORMAL, "");
                    return;
                }
            }
        } catch (IOException e) {
            close("transport error");
        }
    }

    /** The WebSocket transport ended (the reader saw its end). */
    public void webSocketEnded(PacketSink socket, String reason) {
        if (socket == ws) {
            close(reason);
        }
    }

    // ---------------------------------------------------------------- closing

    private String pendingReason;

    private String closeReasonOrDefault() {
        return pendingReason == null ? "server namespace disconnect" : pendingReason;
    }

    /** Sends the close packet after what is queued, then ends with {@code reason}; ends it anyway after pingTimeout. */
    public void closeGracefully(String reason) {
        if (closing || isClosed()) {
            return;
        }
        outbox.add("1");
        outReady.set();
        closing = true;
        pendingReason = reason;
        closeDeadline = Fiber.spawnLater(settings.pingTimeout(), () -> {
            close(reason);
            return null;
        });
    }

    /** Ends the session now with {@code reason}: the transport is closed, queued packets are not sent. */
    public void close(String reason) {
        if (isClosed()) {
            return;
        }
        end(reason);
        PacketSink socket = ws;
        if (socket != null && socket.isOpen()) {
            Fiber.spawn("engine.io close " + sid, () -> socket.close(reason.equals(OUTBOX_FULL) ? CloseCodes.POLICY_VIOLATION
                    : CloseCodes.NORMAL, reason));
        }
    }

    private void end(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        outReady.set();
        if (heartbeat != null && heartbeat != currentOrNull()) {
            heartbeat.kill();
        }
        if (writer != null && writer != currentOrNull()) {
            writer.kill();
        }
        if (closeDeadline != null && closeDeadline != currentOrNull()) {
            closeDeadline.kill();
        }
        onEnd.run();
        if (listener != null) {
            listener.onClose(reason);
        }
    }

    private static Fiber<?> currentOrNull() {
        return Fiber.current();
    }

    /** Why it closed, or null while open. */
    public String closeReason() {
        return closeReason;
    }

    @Override
    public String toString() {
        return "EngineSession(" + sid + (polling ? ", polling" : ws != null ? ", websocket" : "") + ")";
    }
}
