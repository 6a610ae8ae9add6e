package dev.weft.hub.kqueue;

import dev.weft.hub.unix.UnixHandle;
import dev.weft.hub.unix.UnixPoller;
import dev.weft.hub.unix.UnixRegistration;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.kqueue.KQueueIoEvent;
import io.netty.channel.kqueue.KQueueIoHandle;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueIoOps;
import java.io.IOException;

/**
 * A poller on Netty's {@link KQueueIoHandler}, driven directly from the hub thread (see {@link
 * UnixPoller}).
 *
 * <p>Thread rule: all methods except {@link #wakeup()} on the loop thread.
 *
 * <p>Implementation notes (reviewed against Netty 4.2.18's {@code KQueueIoHandler}, never run
 * here): {@code submit} only appends a {@code kevent} change to the handler's change list, which the
 * next {@code run} hands to {@code kevent(2)}, so registering costs no system call of its own. Each
 * descriptor gets two filters once, {@code EVFILT_READ} and {@code EVFILT_WRITE}, both {@code
 * EV_ADD|EV_CLEAR} (edge-triggered: reported once per state change), and they are never changed;
 * closing the descriptor removes them in the kernel, and {@code cancel} drops Netty's mapping.
 * Netty's {@code Native} constants are package-private, so the BSD values are spelled here.
 */
final class KQueuePoller extends UnixPoller {
    private static final short EVFILT_READ = -1;
    private static final short EVFILT_WRITE = -2;
    private static final short EV_ADD = 0x1;
    private static final short EV_CLEAR = 0x20;
    private static final short EV_ERROR = 0x4000;
    private static final short EV_EOF = (short) 0x8000;

    KQueuePoller() {
        super("kqueue", KQueueIoHandler.newFactory());
    }

    @Override
    protected UnixRegistration register(UnixHandle handle) throws IOException {
        IoRegistration registration;
        try {
            registration = handler().register(new Registrant(handle));
            registration.submit(KQueueIoOps.newOps(EVFILT_READ, (short) (EV_ADD | EV_CLEAR), 0));
            registration.submit(KQueueIoOps.newOps(EVFILT_WRITE, (short) (EV_ADD | EV_CLEAR), 0));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("kqueue registration failed: " + e.getMessage(), e);
        }
        return registration::cancel;
    }

    /** What Netty's handler sees of one of our handles: its descriptor and where events go. */
    private final class Registrant implements KQueueIoHandle {
        private final UnixHandle handle;

        Registrant(UnixHandle handle) {
            this.handle = handle;
        }

        @Override
        public int ident() {
            return handle.socket().intValue();
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            KQueueIoEvent e = (KQueueIoEvent) event;
            boolean error = (e.flags() & EV_ERROR) != 0;
            boolean ended = error || (e.filter() == EVFILT_READ && (e.flags() & EV_EOF) != 0);
            dispatch(handle, error || e.filter() == EVFILT_READ, error || e.filter() == EVFILT_WRITE, ended);
        }

        @Override
        public void close() {
            handle.close();
        }
    }
}
