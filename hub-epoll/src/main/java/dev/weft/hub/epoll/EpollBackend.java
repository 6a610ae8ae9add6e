package dev.weft.hub.epoll;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;
import io.netty.channel.epoll.Epoll;
import dev.weft.hub.unix.NettyClasspath;
import java.util.List;
import java.util.Locale;

/**
 * The Linux epoll backend ({@code -Dweft.hub=epoll}) on Netty 4.2's {@code EpollIoHandler}, driven
 * from the hub thread. Highest priority: the default wherever it can load its native library.
 *
 * <p>Thread rule: any thread; {@link #open()} binds the poller to the calling thread. Touches no
 * Netty native class before {@link #availability()} says it can.
 */
public final class EpollBackend implements HubBackend {
    static final String NETTY_VERSION = NettyClasspath.TESTED;
    /** The Netty artifacts this backend runs on: all must be 4.2 (see {@link NettyClasspath}). */
    private static final List<String> NETTY_ARTIFACTS = List.of("netty-common", "netty-buffer", "netty-transport",
            "netty-transport-native-unix-common", "netty-transport-classes-epoll");
    /** Classes only Netty 4.2 has, which the poller links against. */
    private static final List<String> NETTY_CLASSES = List.of("io.netty.util.concurrent.ThreadAwareExecutor",
            "io.netty.channel.IoHandler", "io.netty.channel.IoHandlerContext", "io.netty.channel.epoll.EpollIoHandler");

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public String artifact() {
        return "dev.weft:hub-epoll";
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return Availability.otherSystem("epoll exists only on Linux (this is " + System.getProperty("os.name")
                    + "); use hub-kqueue on macOS/BSD or hub-nio elsewhere");
        }
        String clash = NettyClasspath.clash("epoll", NETTY_ARTIFACTS, NETTY_CLASSES);
        if (clash != null) {
            return Availability.no(clash, null);
        }
        try {
            if (Epoll.isAvailable()) {
                return Availability.yes();
            }
            return Availability.no("Netty's native epoll library could not be loaded; put "
                    + "io.netty:netty-transport-native-epoll:" + NETTY_VERSION + ":" + classifier()
                    + " on the class path (hub-epoll declares linux-x86_64 and linux-aarch_64), or run with"
                    + " -Dweft.hub=nio", Epoll.unavailabilityCause());
        } catch (LinkageError e) {
            return Availability.no("Netty's epoll classes are missing or broken; add io.netty:netty-transport-native-epoll:"
                    + NETTY_VERSION + " with classifier " + classifier(), e);
        }
    }

    /** The native classifier this machine needs. */
    static String classifier() {
        return NettyClasspath.linuxClassifier();
    }

    @Override
    public Poller open() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("The epoll backend cannot run here: " + a.describe(), a.cause());
        }
        try {
            return new EpollPoller();
        } catch (LinkageError e) {
            throw NettyClasspath.linkFailure("epoll", e);
        }
    }
}
