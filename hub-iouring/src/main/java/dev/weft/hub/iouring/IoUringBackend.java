package dev.weft.hub.iouring;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;
import dev.weft.hub.unix.NettyClasspath;
import io.netty.channel.uring.IoUring;
import java.util.List;
import java.util.Locale;

/**
 * The Linux io_uring backend ({@code -Dweft.hub=io_uring}) on Netty 4.2's {@code IoUringIoHandler},
 * driven from the hub thread: readiness through one-shot polls in the ring (see {@link
 * IoUringPoller}). Priority below epoll's, so never the default while epoll can run: it is not
 * measured faster here. Where the kernel or a container refuses io_uring, {@link #availability()}
 * names which ({@link IoUringRefusal}).
 *
 * <p>Thread rule: any thread; {@link #open()} binds the poller (and the ring) to the calling thread.
 * Touches no Netty native class before {@link #availability()} says it can.
 */
public final class IoUringBackend implements HubBackend {
    /** The Netty artifacts this backend runs on: all must be 4.2 (see {@link NettyClasspath}). */
    private static final List<String> NETTY_ARTIFACTS = List.of("netty-common", "netty-buffer", "netty-transport",
            "netty-transport-native-unix-common", "netty-transport-classes-io_uring");
    /** Classes only Netty 4.2 has, which the poller links against. */
    private static final List<String> NETTY_CLASSES = List.of("io.netty.util.concurrent.ThreadAwareExecutor",
            "io.netty.channel.IoHandler", "io.netty.channel.IoHandlerContext", "io.netty.channel.uring.IoUringIoHandler");

    @Override
    public String name() {
        return "io_uring";
    }

    /** 250: below epoll (300), above kqueue and nio; the default stays epoll. */
    @Override
    public int priority() {
        return 250;
    }

    @Override
    public String artifact() {
        return "dev.weft:hub-iouring";
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return Availability.otherSystem("io_uring exists only on Linux (this is " + System.getProperty("os.name")
                    + "); use hub-kqueue on macOS/BSD or hub-nio elsewhere");
        }
        String clash = NettyClasspath.clash("io_uring", NETTY_ARTIFACTS, NETTY_CLASSES);
        if (clash != null) {
            return Availability.no(clash, null);
        }
        try {
            if (IoUring.isAvailable()) {
                return Availability.yes();
            }
            Throwable cause = IoUring.unavailabilityCause();
            return Availability.no(IoUringRefusal.explain(cause, IoUringRefusal.readSysctl(),
                    IoUringRefusal.hasSysAdmin(), System.getProperty("os.version", "?")), cause);
        } catch (LinkageError e) {
            return Availability.no("Netty's io_uring classes are missing or broken; add "
                    + "io.netty:netty-transport-native-io_uring:" + NettyClasspath.TESTED + " with classifier "
                    + NettyClasspath.linuxClassifier() + ", or run with -Dweft.hub=epoll", e);
        }
    }

    @Override
    public Poller open() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("The io_uring backend cannot run here: " + a.describe(), a.cause());
        }
        try {
            return new IoUringPoller();
        } catch (LinkageError e) {
            throw NettyClasspath.linkFailure("io_uring", e);
        }
    }
}
