package dev.weft.hub.kqueue;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;
import io.netty.channel.kqueue.KQueue;
import dev.weft.hub.unix.NettyClasspath;
import java.util.List;
import java.util.Locale;

/**
 * The macOS/BSD kqueue backend ({@code -Dweft.hub=kqueue}) on Netty 4.2's {@code KQueueIoHandler},
 * driven from the hub thread. Chosen by default where it can load its native library and epoll
 * cannot.
 *
 * <p>Thread rule: any thread; {@link #open()} binds the poller to the calling thread. Touches no
 * Netty native class before {@link #availability()} says it can.
 *
 * <p>Not yet run: this backend compiles everywhere but has only been reviewed, not executed, because
 * the project's machines are Linux; its conformance tests run automatically on macOS and the BSDs.
 */
public final class KQueueBackend implements HubBackend {
    static final String NETTY_VERSION = NettyClasspath.TESTED;
    /** The Netty artifacts this backend runs on: all must be 4.2 (see {@link NettyClasspath}). */
    private static final List<String> NETTY_ARTIFACTS = List.of("netty-common", "netty-buffer", "netty-transport",
            "netty-transport-native-unix-common", "netty-transport-classes-kqueue");
    /** Classes only Netty 4.2 has, which the poller links against. */
    private static final List<String> NETTY_CLASSES = List.of("io.netty.util.concurrent.ThreadAwareExecutor",
            "io.netty.channel.IoHandler", "io.netty.channel.IoHandlerContext", "io.netty.channel.kqueue.KQueueIoHandler");

    @Override
    public String name() {
        return "kqueue";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public String artifact() {
        return "dev.weft:hub-kqueue";
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!(os.contains("mac") || os.contains("darwin") || os.contains("bsd"))) {
            return Availability.otherSystem("kqueue is not available on this OS (" + System.getProperty("os.name")
                    + "): it exists only on macOS and the BSDs; use hub-epoll on Linux or hub-nio elsewhere");
        }
        String clash = NettyClasspath.clash("kqueue", NETTY_ARTIFACTS, NETTY_CLASSES);
        if (clash != null) {
            return Availability.no(clash, null);
        }
        try {
            if (KQueue.isAvailable()) {
                return Availability.yes();
            }
            return Availability.no("Netty's native kqueue library could not be loaded; put "
                    + "io.netty:netty-transport-native-kqueue:" + NETTY_VERSION + ":" + classifier()
                    + " on the class path (hub-kqueue declares osx-x86_64 and osx-aarch_64), or run with"
                    + " -Dweft.hub=nio", KQueue.unavailabilityCause());
        } catch (LinkageError e) {
            return Availability.no("Netty's kqueue classes are missing or broken; add io.netty:netty-transport-native-kqueue:"
                    + NETTY_VERSION + " with classifier " + classifier(), e);
        }
    }

    /** The native classifier this machine needs (Netty ships macOS ones only). */
    static String classifier() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "osx-x86_64";
            case "aarch64", "arm64" -> "osx-aarch_64";
            default -> "osx-" + arch + " (Netty ships none for os.arch=" + arch + ")";
        };
    }

    @Override
    public Poller open() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("The kqueue backend cannot run here: " + a.describe(), a.cause());
        }
        try {
            return new KQueuePoller();
        } catch (LinkageError e) {
            throw NettyClasspath.linkFailure("kqueue", e);
        }
    }
}
