package dev.weft.hub.nio;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;
import java.io.IOException;
import java.nio.channels.Selector;

/**
 * The JDK {@link Selector} backend ({@code -Dweft.hub=nio}): no dependencies, runs wherever the JDK
 * runs (epoll on Linux, kqueue on macOS, {@code select}/WSAPoll on Windows, through the JDK).
 * Lowest priority: chosen by default only when no native backend is available.
 *
 * <p>Thread rule: any thread; {@link #open()} binds the poller to the calling thread.
 */
public final class NioBackend implements HubBackend {

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public String artifact() {
        return "dev.weft:hub-nio";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Poller open() {
        try {
            return new NioPoller(Selector.open());
        } catch (IOException e) {
            throw new BackendUnavailableException("The JDK could not open a Selector: " + e.getMessage()
                    + ". This usually means the process ran out of file descriptors (raise ulimit -n).", e);
        }
    }
}
