package dev.weft.fibers;

/**
 * Thrown by a blocking call inside a {@link Timeout} block once that timeout has expired. It knows
 * which {@link Timeout} fired, so nested timeouts can tell theirs apart:
 * {@code catch (FiberTimeoutException e) { if (!e.is(mine)) throw e; … }}.
 *
 * <p>Libraries may wrap it: pgjdbc's {@code Driver.connect} turns any exception of a connect into a
 * {@code PSQLException} whose cause is this one. {@link #is(Throwable, Timeout)} and {@link
 * #find(Throwable)} look through the cause chain (and suppressed exceptions), and so do the {@link
 * Timeouts} forms.
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

    /**
     * Whether {@code failure} is, or carries in its cause chain or among the suppressed exceptions
     * along it, the expiry of {@code t}: {@code catch (Exception e) { if (!FiberTimeoutException.is(e,
     * mine)) throw e; … }} recognises a timeout that a driver wrapped.
     */
    public static boolean is(Throwable failure, Timeout t) {
        return find(failure, t) != null;
    }

    /**
     * The first {@code FiberTimeoutException} in {@code failure}'s cause chain ({@code failure} itself
     * first, then the suppressed exceptions along the chain), or null if there is none.
     */
    public static FiberTimeoutException find(Throwable failure) {
        return find(failure, null);
    }

    /** The first one of {@code t} (of any timeout if {@code t} is null) in the chain, or null; cycles end the walk. */
    private static FiberTimeoutException find(Throwable failure, Timeout t) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty()) {
            Throwable e = todo.poll();
            if (!seen.add(e)) {
                continue;
            }
            if (e instanceof FiberTimeoutException fte && (t == null || fte.timeout == t)) {
                return fte;
            }
            if (e.getCause() != null) {
                todo.add(e.getCause());
            }
            java.util.Collections.addAll(todo, e.getSuppressed());
        }
        return null;
    }
}
