package dev.weft.hub.nio;

import dev.weft.hub.DatagramHandle;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Poller;
import dev.weft.hub.StreamHandle;
import dev.weft.hub.WrongThreadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Poller} over a JDK {@link Selector}, bound to the thread that opened it.
 *
 * <p>Thread rule: every method except {@link #wakeup()} must run on the loop thread
 * ({@link WrongThreadException} otherwise, from the handles).
 *
 * <p>Implementation notes: selection uses {@link Selector#select(Consumer, long)} with one
 * pre-allocated consumer, so a poll allocates no selected-key set entries. The selector counts
 * whole milliseconds and {@code select(0)} means "forever": a positive wait is rounded up to at
 * least 1 ms (never down to 0); the event loop re-reads the clock after each poll, so rounding up
 * only delays a timer by less than a millisecond and never fires it early. Each handle's key is
 * registered once, with interest 0; {@code await} adds the interest and a fired callback removes it
 * again (one-shot, as the SPI says). Interest changes take effect at the next select.
 */
final class NioPoller implements Poller {
    private final Selector selector;
    final Thread thread;
    private final Consumer<SelectionKey> dispatch = NioPoller::dispatch;
    private int callbacks;
    /** Inside a select or {@link #close()}: a cancelled key is deregistered when that ends. */
    private boolean selecting;

    NioPoller(Selector selector) {
        this.selector = selector;
        this.thread = Thread.currentThread();
    }

    @Override
    public String backendName() {
        return "nio";
    }

    @Override
    public int poll(long timeoutNanos) {
        checkThread("Poller.poll");
        callbacks = 0;
        selecting = true;
        try {
            if (timeoutNanos == 0) {
                selector.selectNow(dispatch);
            } else if (timeoutNanos < 0) {
                selector.select(dispatch, 0);
            } else {
                long millis = Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
                selector.select(dispatch, millis);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.select failed on the hub thread: " + e.getMessage(), e);
        } finally {
            selecting = false;
        }
        return callbacks;
    }

    /**
     * Makes the selector drop cancelled keys now (a non-blocking select), which lets the JDK close
     * their channels' descriptors; readiness it finds meanwhile runs its callbacks as a poll would.
     * Skipped inside a select, whose end deregisters them anyway.
     */
    void deregisterCancelled() {
        if (selecting || !selector.isOpen()) {
            return;
        }
        selecting = true;
        try {
            selector.selectNow(dispatch);
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.selectNow failed on the hub thread: " + e.getMessage(), e);
        } finally {
            selecting = false;
        }
    }

    private static void dispatch(SelectionKey key) {
        NioHandle h = (NioHandle) key.attachment();
        h.poller.callbacks += h.onReady(key);
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public StreamHandle openStream(ProtocolFamily family) throws IOException {
        checkThread("Poller.openStream");
        return new NioStreamHandle(this, SocketChannel.open(family), false);
    }

    @Override
    public ListenerHandle openListener(ProtocolFamily family) throws IOException {
        checkThread("Poller.openListener");
        return new NioListenerHandle(this, ServerSocketChannel.open(family));
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        checkThread("Poller.openDatagram");
        return new NioDatagramHandle(this, DatagramChannel.open(family));
    }

    @Override
    public StreamHandle adopt(dev.weft.hub.AcceptedStream connection) throws IOException {
        checkThread("Poller.adopt");
        if (!(connection instanceof NioAcceptedStream accepted)) {
            throw new IllegalArgumentException("the nio backend cannot adopt a connection the "
                    + connection.backendName() + " backend accepted");
        }
        return new NioStreamHandle(this, accepted.take(), true); // on failure the handle closes the channel
    }

    /** Registers a channel (already non-blocking) with interest 0. */
    SelectionKey register(java.nio.channels.SelectableChannel ch, NioHandle handle) throws IOException {
        return ch.register(selector, 0, handle);
    }

    void checkThread(String what) {
        if (Thread.currentThread() != thread) {
            throw new WrongThreadException(what, thread, Thread.currentThread(),
                    "A socket belongs to the hub that opened it; use it only from that hub's fibers.");
        }
    }

    @Override
    public void close() {
        if (!selector.isOpen()) {
            return;
        }
        List<NioHandle> open = new ArrayList<>();
        for (SelectionKey k : selector.keys()) {
            open.add((NioHandle) k.attachment());
        }
        selecting = true; // closing the selector deregisters them all at once
        for (NioHandle h : open) {
            h.close();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing useful to do: the selector's fds are released either way
        }
    }
}
