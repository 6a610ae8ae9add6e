package dev.weft.fibers;

/**
 * Thrown by a blocking call inside a {@link Timeout} block once that timeout has expired. It knows
 * which {@link Timeout} fired, so nested timeouts can tell theirs apart:
 * {@code catch (FiberTimeoutException e) { if (!e.is(mine)) throw e; … }}.
 */
public final class FiberTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Timeout timeout;

    FiberTimeoutException(Timeout timeout) {
        super(timeout + " expired");
        this.timeout = timeout;
    }

    /** The timeout that fired. */
    public Timeout timeout() {
        return timeout;
    }

    /** Whether {@code t} is the timeout that fired. */
    public boolean is(Timeout t) {
        return timeout == t;
    }
}
