package dev.weft.fibers.internal;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The second (and only other) class that touches {@code jdk.internal.vm.Continuation}: the body of
 * a {@code dev.weft.fibers.Greenlet}, a continuation of its own scope nested inside the fiber's.
 * {@link #run()} (inherited) starts or resumes it on the fiber's stack until it
 * {@linkplain #suspend() suspends} back to the code that ran it, or ends. A fiber park inside it
 * yields the fiber's scope, which freezes this continuation together with the fiber (the JDK
 * supports nested scopes), so a greenlet that blocks blocks its whole fiber.
 *
 * <p>Thread rule: hub thread, inside the fiber that created it. Callers must have run
 * {@link JvmFlags#check()} (every hub does).
 */
public final class GreenletContinuation extends Continuation {
    private static final ContinuationScope SCOPE = new ContinuationScope("weft-greenlet");

    private Pinned pinnedReason;

    public GreenletContinuation(Runnable body) {
        super(SCOPE, body);
    }

    /**
     * Suspends the innermost running greenlet continuation; returns when it is run again.
     *
     * @return true once run again; false at once if it cannot switch (a native frame or a critical
     *         section is on its stack): {@link #takePinnedReason()} then says why
     */
    public static boolean suspend() {
        return Continuation.yield(SCOPE);
    }

    /** Why this greenlet's last {@link #suspend()} returned false, as a sentence for an exception message. */
    public String takePinnedReason() {
        Pinned reason = pinnedReason;
        pinnedReason = null;
        return "A greenlet tried to switch while pinned (" + reason + "): a native frame (a class initializer, JNI,"
                + " an FFM upcall) or a critical section is on its stack; switch outside that code.";
    }

    @Override
    protected void onPinned(Pinned reason) {
        pinnedReason = reason;
    }

    /** The stack of a suspended greenlet, innermost first (empty while running or done). */
    public StackTraceElement[] suspendedStack() {
        return isDone() ? new StackTraceElement[0] : getStackTrace();
    }
}
