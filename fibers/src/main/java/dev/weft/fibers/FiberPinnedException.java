package dev.weft.fibers;

/**
 * Thrown by a blocking fiber call that cannot switch because the fiber is pinned to the hub thread:
 * a native frame (a class initializer, JNI, an FFM upcall) or a critical section is on its stack,
 * or (on JDK 21–23) it holds a monitor. The message names the reason.
 */
public final class FiberPinnedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FiberPinnedException(String message) {
        super(message);
    }
}
