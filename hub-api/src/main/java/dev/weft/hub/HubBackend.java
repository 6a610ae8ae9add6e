package dev.weft.hub;

/**
 * A backend: one way of waiting for socket readiness (JDK {@code Selector}, epoll, kqueue),
 * found with {@link java.util.ServiceLoader} and chosen by {@link Backends#select()}.
 *
 * <p>Thread rule: every method may be called from any thread. A backend must be cheap to
 * construct and must not touch native code until {@link #availability()} or {@link #open()}.
 *
 * <p>Implementations register themselves in
 * {@code META-INF/services/dev.weft.hub.HubBackend}.
 */
public interface HubBackend {

    /** The name users pass as {@code -Dweft.hub=NAME}: {@code nio}, {@code epoll}, {@code kqueue}. */
    String name();

    /**
     * Preference when {@code weft.hub} is unset: the available backend with the highest
     * priority wins (epoll 300, kqueue 200, nio 100). A negative priority: chosen by name only, never
     * by default (the simulation backend, -1000).
     */
    int priority();

    /** The Maven coordinates that bring this backend in, for error messages (e.g. {@code dev.weft:hub-epoll}). */
    String artifact();

    /**
     * Whether this backend can run on this machine, and if not, why. Loads the native library
     * on first call if the backend has one; never throws.
     */
    Availability availability();

    /**
     * Opens a new poller bound to the calling thread, which becomes its loop thread.
     *
     * @throws BackendUnavailableException if {@link #availability()} says it cannot run here
     */
    Poller open();
}
