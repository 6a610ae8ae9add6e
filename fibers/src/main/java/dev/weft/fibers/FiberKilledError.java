package dev.weft.fibers;

/**
 * Thrown inside a fiber at its current or next blocking call when it is {@linkplain Fiber#kill()
 * killed}, so that it unwinds through its {@code finally} blocks. It is an {@link Error} (like
 * gevent's {@code GreenletExit}, a {@code BaseException}) so that {@code catch (Exception e)}
 * does not swallow it; code that catches it anyway should rethrow it.
 *
 * <p>A fiber whose body ends with this error finishes as {@link FiberState#KILLED}, which is not a
 * failure and is not reported to the uncaught handler.
 */
public final class FiberKilledError extends Error {
    private static final long serialVersionUID = 1L;

    public FiberKilledError(String message) {
        super(message);
    }
}
