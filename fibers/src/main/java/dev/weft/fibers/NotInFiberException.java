package dev.weft.fibers;

/**
 * Thrown when a blocking fiber call ({@code Fiber.sleep}, {@code Queue.take}, a socket read…)
 * is made outside a fiber: on a thread that runs no hub, or on the hub thread but outside any
 * fiber (in a timer or on-exit callback). The message says which and what to do instead.
 */
public final class NotInFiberException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NotInFiberException(String message) {
        super(message);
    }
}
