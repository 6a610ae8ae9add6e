package dev.weft.fibers.internal;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The one class that touches {@code jdk.internal.vm.Continuation}. {@link #run()} (inherited)
 * starts or resumes the fiber's {@link #body()} on the calling (hub) thread until it
 * {@linkplain #suspend suspends} or finishes; as a {@link Runnable} it goes straight into the
 * loop's ready queue. The fiber's core subclasses it (the body is a method, not a separate lambda
 * object, and the fiber's scheduling state lives in the continuation object itself: one object
 * less in every fiber and at every switch).
 *
 * <p>This package depends on nothing above it: a refused switch is reported by {@link #suspend()}'s
 * result and described by {@link #takePinnedReason()}; the caller throws its own exception.
 *
 * <p>Thread rule: hub thread only. Callers must run {@link JvmFlags#check()} before loading it.
 */
public abstract class FiberContinuation extends Continuation implements Runnable {
    private static final ContinuationScope SCOPE = new ContinuationScope("weft-fiber");
    /** The target of every fiber continuation: runs the body of the one that is starting. */
    private static final Runnable ENTRY = () -> ((FiberContinuation) getCurrentContinuation(SCOPE)).body();
    /** Why the last switch on this thread was refused; set by {@link #onPinned}, read at once by {@link #suspend}. */
    private static final ThreadLocal<Pinned> PINNED_REASON = new ThreadLocal<>();

    protected FiberContinuation() {
        super(SCOPE, ENTRY);
    }

    /** The fiber's code; runs inside this continuation, on the hub thread. */
    protected abstract void body();

    /**
     * Suspends the running fiber continuation; returns when it is resumed with {@link #run()}.
     *
     * @return true once resumed; false at once if the switch is impossible (a native frame such as
     *         a class initializer, or a critical section, is on the stack): {@link #takePinnedReason()}
     *         then says why
     */
    public static boolean suspend() {
        return Continuation.yield(SCOPE);
    }

    /** Why the last {@link #suspend()} on this thread returned false, as a sentence for an exception message. */
    public static String takePinnedReason() {
        Pinned reason = PINNED_REASON.get();
        PINNED_REASON.remove();
        return describe(reason);
    }

    /** Runs {@code action} in a critical section where switching is impossible (for tests and for code that must not switch). */
    public static void pinned(Runnable action) {
        Continuation.pin();
        try {
            action.run();
        } finally {
            Continuation.unpin();
        }
    }

    @Override
    protected void onPinned(Pinned reason) {
        PINNED_REASON.set(reason);
    }

    /** The stack of a suspended continuation, innermost first (empty while running or done). */
    public StackTraceElement[] suspendedStack() {
        return isDone() ? new StackTraceElement[0] : getStackTrace();
    }

    private static String describe(Pinned reason) {
        String why = switch (reason == null ? Pinned.NATIVE : reason) {
            case NATIVE -> "a native frame is on the stack (a class initializer <clinit>, a JNI call or an FFM upcall)";
            case MONITOR -> "the fiber holds a monitor (inside a synchronized block or method)";
            case CRITICAL_SECTION -> "the fiber is in a critical section where switching is disabled";
            case EXCEPTION -> "the JVM could not freeze the stack (" + reason + ")";
        };
        return "A fiber tried to switch to the hub while pinned (" + reason + "): " + why
                + ". A blocking fiber call cannot run there; move it out of that code (for example, do the"
                + " blocking work before the class is initialized, or outside the synchronized block).";
    }
}
