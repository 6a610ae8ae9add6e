package dev.weft.websocket.internal;

import dev.weft.websocket.CloseCodes;
import dev.weft.websocket.Message;
import java.nio.ByteBuffer;

/**
 * Reads frames (RFC 6455 section 5) out of the connection's input buffer and turns them into whole
 * messages and control frames, checking every rule a receiver must: reserved bits (RSV1 only where
 * permessage-deflate was agreed, and only on a data message's first frame), known opcodes, control
 * frames of at most 125 bytes and never fragmented, continuation frames only inside a fragmented
 * message, masking (a server refuses unmasked frames, a client refuses masked ones), the 63-bit length,
 * and the message size limit before any payload is stored. Control frames may arrive between the
 * fragments of a message.
 *
 * <p>It never blocks: {@link #next()} works on what is buffered and says {@link #NEED_INPUT} when it
 * needs more; the caller reads (into {@link #input()}, or straight into the message's buffer through
 * {@link #directTarget()}) and calls again. All state lives in fields, so a read that a timeout or a
 * kill interrupts loses nothing: the next call goes on where this one stopped.
 *
 * <p>Not thread-safe; the connection's reader uses it.
 */
public final class FrameParser {
    /** What {@link #next()} found. */
    public static final int NEED_INPUT = 0;
    public static final int MESSAGE = 1;
    public static final int PING = 2;
    public static final int PONG = 3;
    public static final int CLOSE = 4;

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;
    /** Below this many payload bytes still to come, payload is read through the input buffer. */
    private static final int DIRECT_READ_MIN = 1024;

    private final boolean server;
    private final boolean deflateAgreed;
    private final MessageAssembler message;
    /** Read mode between calls: position..limit are bytes not yet parsed. */
    private ByteBuffer in;

    private boolean inFrame;
    private int opcode;
    private boolean fin;
    private boolean masked;
    private int key;
    /** Payload bytes of the current frame already processed (the mask's rotation). */
    private long done;
    private long length;
    private byte[] control;
    private int controlSize;
    private Message completed;

    /**
     * @param server         true for the server side (frames from the client must be masked)
     * @param deflateAgreed  whether permessage-deflate was agreed (RSV1 then marks a compressed message)
     * @param maxMessageSize the largest message accepted (text: its UTF-8 bytes)
     * @param inflater       the decompressor (null when deflate was not agreed)
     * @param alreadyRead    bytes that arrived with the handshake (may be null)
     */
    public FrameParser(boolean server, boolean deflateAgreed, long maxMessageSize, MessageInflater inflater,
                       ByteBuffer alreadyRead, int bufferSize) {
        this.server = server;
        this.deflateAgreed = deflateAgreed;
        this.message = new MessageAssembler(maxMessageSize, inflater);
        int leftover = alreadyRead == null ? 0 : alreadyRead.remaining();
        this.in = ByteBuffer.allocate(Math.max(bufferSize, leftover));
        if (leftover > 0) {
            in.put(alreadyRead);
        }
        in.flip();
    }

    /** Whether a frame or a fragmented message is under way (bytes of it arrived, more are due). */
    public boolean busy() {
        return in.hasRemaining() || inFrame || message.inProgress();
    }

    /**
     * Parses what is buffered: returns {@link #MESSAGE} ({@link #message()}), {@link #PING}, {@link
     * #PONG} or {@link #CLOSE} ({@link #controlPayload()}) as soon as one is complete, {@link
     * #NEED_INPUT} when the buffer runs out first.
     *
     * @throws ProtocolViolation when the peer broke a rule or a limit; the connection is then to be failed
     */
    public int next() throws ProtocolViolation {
        while (true) {
            if (!inFrame && !header()) {
                return NEED_INPUT;
            }
            int take = (int) Math.min(in.remaining(), length - done);
            if (opcode >= OP_CLOSE) {
                if (take > 0) {
                    in.get(control, controlSize, take);
                    if (masked) {
                        Masking.apply(control, controlSize, take, key, (int) done);
                    }
                    controlSize += take;
                    done += take;
                }
                if (done < length) {
                    return NEED_INPUT;
                }
                inFrame = false;
                return switch (opcode) {
                    case OP_PING -> PING;
                    case OP_PONG -> PONG;
                    default -> CLOSE;
                };
            }
            if (take > 0) {
                byte[] a = in.array();
                int at = in.arrayOffset() + in.position();
                if (masked) {
                    Masking.apply(a, at, take, key, (int) (done & 3));
                }
                in.position(in.position() + take);
                done += take;
                message.append(a, at, take);
            }
            if (done < length) {
                return NEED_INPUT;
            }
            inFrame = false;
            if (fin) {
                completed = message.finish();
                return MESSAGE;
            }
        }
    }

    /** Parses a frame header if all of it is buffered; false when more bytes are needed. */
    private boolean header() throws ProtocolViolation {
        int available = in.remaining();
        if (available < 2) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xff;
        int b1 = in.get(p + 1) & 0xff;
        int lengthBytes = switch (b1 & 0x7f) {
            case 126 -> 2;
            case 127 -> 8;
            default -> 0;
        };
        boolean m = (b1 & 0x80) != 0;
        int headerSize = 2 + lengthBytes + (m ? 4 : 0);
        if (available < headerSize) {
            return false;
        }
        long len = b1 & 0x7f;
        if (lengthBytes == 2) {
            len = in.getShort(p + 2) & 0xffff;
        } else if (lengthBytes == 8) {
            len = in.getLong(p + 2);
            if (len < 0) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "frame length has its most significant bit set");
            }
        }
        int op = b0 & 0x0f;
        boolean f = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        if ((b0 & 0x30) != 0) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "reserved bits RSV2/RSV3 are set (no extension uses them)");
        }
        if (m != server) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, server
                    ? "frame from the client is not masked (RFC 6455 section 5.1: a client must mask every frame)"
                    : "frame from the server is masked (RFC 6455 section 5.1: a server must not mask)");
        }
        switch (op) {
            case OP_CLOSE, OP_PING, OP_PONG -> {
                if (!f) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "control frame (opcode " + op + ") is fragmented");
                }
                if (len > 125) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "control frame (opcode " + op + ") has " + len
                            + " bytes of payload; at most 125 are allowed");
                }
                if (rsv1) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "control frame (opcode " + op + ") has RSV1 set");
                }
                if (control == null) {
                    control = new byte[125];
                }
                controlSize = 0;
            }
            case OP_TEXT, OP_BINARY -> {
                if (message.inProgress()) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR,
                            "new data frame (opcode " + op + ") while a fragmented message is not finished");
                }
                if (rsv1 && !deflateAgreed) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "reserved bit RSV1 is set (permessage-deflate was not agreed)");
                }
                message.begin(op == OP_TEXT ? MessageAssembler.TEXT : MessageAssembler.BINARY, rsv1, len, f);
            }
            case OP_CONTINUATION -> {
                if (!message.inProgress()) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "continuation frame without a message to continue");
                }
                if (rsv1) {
                    throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "continuation frame has RSV1 set (only a message's first frame may)");
                }
                message.frame(len, f);
            }
            default -> throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "unknown opcode " + op);
        }
        in.position(p + headerSize);
        key = m ? in.getInt(p + headerSize - 4) : 0;
        opcode = op;
        fin = f;
        masked = m;
        length = len;
        done = 0;
        inFrame = true;
        return true;
    }

    /** The message {@link #next()} returned {@link #MESSAGE} for. */
    public Message message() {
        Message m = completed;
        completed = null;
        return m;
    }

    /** A copy of the control frame's payload that {@link #next()} returned PING, PONG or CLOSE for. */
    public byte[] controlPayload() {
        return java.util.Arrays.copyOf(control, controlSize);
    }

    /**
     * Where the next read goes, in write mode; hand it back with {@link #inputDone()} (also when the
     * read fails). Compacts what is not parsed yet to the front.
     */
    public ByteBuffer input() {
        in.compact();
        return in;
    }

    /** After a read into {@link #input()} (successful or not). */
    public void inputDone() {
        in.flip();
    }

    /**
     * A buffer to read the current frame's payload straight into, skipping the input buffer: only
     * when nothing is buffered, the frame is an uncompressed data frame and enough payload is still
     * to come. Null otherwise. After the read, call {@link #directDone(int)}.
     */
    public ByteBuffer directTarget() {
        if (!inFrame || opcode >= OP_CLOSE || in.hasRemaining() || length - done < DIRECT_READ_MIN) {
            return null;
        }
        return message.directTarget(length - done);
    }

    /** {@code n} payload bytes were read into {@link #directTarget()}'s buffer. */
    public int directDone(int n) throws ProtocolViolation {
        if (n > 0) {
            message.directAppended(n, key, (int) (done & 3), masked);
            done += n;
            if (done == length) {
                inFrame = false;
                if (fin) {
                    completed = message.finish();
                    return MESSAGE;
                }
            }
        }
        return NEED_INPUT;
    }

    /** Drops a message in progress (the connection is closing). */
    public void abandon() {
        message.abandon();
        inFrame = false;
        in.clear().flip();
    }
}
