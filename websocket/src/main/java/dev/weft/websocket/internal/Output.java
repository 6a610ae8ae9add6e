package dev.weft.websocket.internal;

import dev.weft.fibers.Lock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The outgoing side of a connection: frames wait in a queue in the order they were committed, and
 * whoever holds the write lock writes all of them. The user's writer fiber, the reader (pongs, close
 * replies, keep-alive pings) and {@code close()} share it, so frames never interleave on the wire.
 *
 * <p>A frame is committed when it is queued: a writer that a {@code Timeout} or a kill interrupts
 * leaves the rest of its frame queued, and the next flush (by any fiber) writes it before anything
 * later. A large payload may be the caller's own memory ("borrowed", no copy) only while the caller
 * holds the lock and writes it itself; if it is interrupted with part of it unwritten, the rest is
 * copied before the call returns, so the caller may reuse its buffer at once either way.
 *
 * <p>Several small buffers queued together (the frames of a batch, a pong behind a message) are
 * copied into one before they are written, at most {@value #GATHER_LIMIT} bytes: one write, one
 * system call (or one TLS record) instead of one each.
 *
 * <p>Thread rule: fibers of the connection's hub. Not for concurrent use from several hubs.
 */
public final class Output {
    /** The most bytes of queued buffers copied together into one write. */
    static final int GATHER_LIMIT = 64 * 1024;

    /** The connection's write side (a {@code Connection}: each write parks the fiber until it took some bytes). */
    private final WritableByteChannel stream;
    private final Lock lock = new Lock();
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(4);
    /** The queued buffer that is borrowed caller memory, if any (only while its owner holds the lock). */
    private ByteBuffer borrowed;
    private long queuedBytes;

    public Output(WritableByteChannel stream) {
        this.stream = stream;
    }

    /** Bytes committed but not written yet. */
    public long pending() {
        return queuedBytes;
    }

    /**
     * Commits {@code frames} (in order) and writes everything queued, waiting for the lock and for the
     * peer to take the bytes. Interrupted (Timeout, kill): the frames stay committed (see the class comment).
     *
     * @throws IOException when the stream fails (the rest stays queued; the connection is to be closed)
     */
    public void send(List<FrameEncoder.Frame> frames) throws IOException {
        Lock.Held held = lock.tryLock(Duration.ZERO);
        for (FrameEncoder.Frame frame : frames) {
            // Someone else writes now: our frames must not be borrowed memory, they may outlive this call;
            // and one borrowed buffer at a time is tracked.
            enqueue(frame, held == null || borrowed != null);
        }
        if (held == null) {
            held = lock.lock(); // a kill or Timeout here: committed; the holder writes it
        }
        try {
            drain();
        } finally {
            detach(); // before unlocking: the next holder must not see our memory
            held.close();
        }
    }

    /** Commits {@code frame} (a control frame: pong, ping, close) without writing it. */
    public void commit(FrameEncoder.Frame frame) {
        enqueue(frame, true);
    }

    /**
     * Writes everything committed, if no one else is writing now (whoever is will write it too); with
     * the lock free and nothing queued, does nothing.
     */
    public void flushIfIdle() throws IOException {
        if (queue.isEmpty()) {
            return;
        }
        Lock.Held held = lock.tryLock(Duration.ZERO);
        if (held != null) {
            try (held) {
                drain();
            }
        }
    }

    /** Writes everything committed, waiting for the lock if another fiber is writing. */
    public void flush() throws IOException {
        if (queue.isEmpty()) {
            return;
        }
        try (Lock.Held held = lock.lock()) {
            drain();
        }
    }

    private void enqueue(FrameEncoder.Frame frame, boolean copyBorrowed) {
        if (frame.header() != null) {
            add(frame.header());
        }
        ByteBuffer p = frame.payload();
        if (p != null && p.hasRemaining()) {
            if (frame.borrowed()) {
                if (copyBorrowed) {
                    p = copy(p);
                } else {
                    borrowed = p;
                }
            }
            add(p);
        }
    }

    private void add(ByteBuffer b) {
        queue.add(b);
        queuedBytes += b.remaining();
    }

    private void drain() throws IOException {
        ByteBuffer b;
        while ((b = gatherHead()) != null) {
            while (b.hasRemaining()) {
                int n = stream.write(b);
                queuedBytes -= n;
            }
            queue.poll();
            if (b == borrowed) {
                borrowed = null;
            }
        }
    }

    /**
     * The head of the queue, after copying the small buffers at its front into one when there are
     * several (at most {@value #GATHER_LIMIT} bytes; a borrowed buffer copied in is no longer borrowed).
     * Null when nothing is queued.
     */
    private ByteBuffer gatherHead() {
        ByteBuffer head = queue.peek();
        if (head == null || queue.size() < 2) {
            return head;
        }
        int total = 0;
        int n = 0;
        for (ByteBuffer b : queue) {
            if (total + b.remaining() > GATHER_LIMIT) {
                break;
            }
            total += b.remaining();
            n++;
        }
        if (n < 2) {
            return head;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (int i = 0; i < n; i++) {
            ByteBuffer b = queue.poll();
            if (b == borrowed) {
                borrowed = null;
            }
            all.put(b.duplicate());
        }
        queue.addFirst(all.flip());
        return all;
    }

    /** A borrowed buffer still queued becomes a copy of its unwritten rest. */
    private void detach() {
        if (borrowed == null) {
            return;
        }
        ByteBuffer copy = copy(borrowed);
        ArrayDeque<ByteBuffer> rebuilt = new ArrayDeque<>(queue.size());
        for (ByteBuffer b : queue) {
            rebuilt.add(b == borrowed ? copy : b);
        }
        queue.clear();
        queue.addAll(rebuilt);
        borrowed = null;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    /** Whether a fiber is writing now. */
    public boolean isBusy() {
        return lock.isLocked();
    }
}
