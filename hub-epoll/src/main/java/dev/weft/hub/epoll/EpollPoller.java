package dev.weft.hub.epoll;

import dev.weft.hub.unix.UnixHandle;
import dev.weft.hub.unix.UnixPoller;
import dev.weft.hub.unix.UnixRegistration;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;

/**
 * A poller on Netty's {@link EpollIoHandler}, driven directly from the hub thread.
 *
 * <p>Thread rule: all methods except {@link #wakeup()} on the loop thread.
 *
 * <p>Implementation notes: each descriptor is registered once and its interest set once, to
 * {@code EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET}, and never changed: no {@code epoll_ctl} per wait, and
 * never {@code submit(0)} (from Netty 4.2.11 that deletes the descriptor from the epoll set). An
 * event only runs the armed one-shot callback, which makes the waiting fiber runnable; the fiber
 * runs after the poll returns and reads or writes until EAGAIN. Deadlines go to Netty's timerfd
 * (see {@link UnixPoller}), so sub-millisecond waits are honoured.
 */
final class EpollPoller extends UnixPoller {
    private static final EpollIoOps INTEREST = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT)
            .with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLET);
    private static final int READ_EVENTS = EpollIoOps.EPOLLIN.value() | EpollIoOps.EPOLLRDHUP.value()
            | EpollIoOps.EPOLLERR.value();
    private static final int WRITE_EVENTS = EpollIoOps.EPOLLOUT.value() | EpollIoOps.EPOLLERR.value();
    /** epoll reports hang-up (EPOLLHUP, 0x10) even when not asked for; it wakes both directions. */
    private static final int HANGUP = 0x10;

    EpollPoller() {
        super("epoll", EpollIoHandler.newFactory());
    }

    @Override
    protected UnixRegistration register(UnixHandle handle) throws IOException {
        IoRegistration registration;
        try {
            registration = handler().register(new Registrant(handle));
            registration.submit(INTEREST);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("epoll registration failed: " + e.getMessage(), e);
        }
        return registration::cancel;
    }

    /** What Netty's handler sees of one of our handles: its descriptor and where events go. */
    private final class Registrant implements EpollIoHandle {
        private final UnixHandle handle;

        Registrant(UnixHandle handle) {
            this.handle = handle;
        }

        @Override
        public FileDescriptor fd() {
            return handle.socket();
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int ops = ((EpollIoEvent) event).ops().value();
            boolean hangup = (ops & HANGUP) != 0;
            boolean ended = hangup || (ops & (EpollIoOps.EPOLLRDHUP.value() | EpollIoOps.EPOLLERR.value())) != 0;
            dispatch(handle, hangup || (ops & READ_EVENTS) != 0, hangup || (ops & WRITE_EVENTS) != 0, ended);
        }

        @Override
        public void close() {
            handle.close();
        }
    }
}
