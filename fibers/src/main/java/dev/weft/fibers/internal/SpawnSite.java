package dev.weft.fibers.internal;

/**
 * Attached as a suppressed exception to a fiber's failure when it is rethrown by {@code get()}:
 * which fiber failed, which fiber spawned it, and (with {@code -Dweft.fiber.spawnTrace=true})
 * the stack of the spawn call. Capturing that stack costs microseconds per spawn, so it is off by
 * default.
 */
public final class SpawnSite extends Throwable {
    private static final long serialVersionUID = 1L;

    /** Whether spawn stacks are captured ({@code -Dweft.fiber.spawnTrace=true}). */
    public static final boolean CAPTURE = Boolean.getBoolean("weft.fiber.spawnTrace");

    /** Captures the caller's stack (only used when {@link #CAPTURE} is on). */
    public SpawnSite() {
        super("spawned here", null, false, true);
    }

    private SpawnSite(String message, StackTraceElement[] stack) {
        super(message, null, false, stack != null);
        if (stack != null) {
            setStackTrace(stack);
        }
    }

    /** The note to attach to a failure of fiber {@code fiber}, spawned by {@code parent}, at {@code captured} (may be null). */
    public static SpawnSite describe(String fiber, String parent, SpawnSite captured) {
        String where = captured != null ? " at the stack below"
                : " (run with -Dweft.fiber.spawnTrace=true to record where)";
        return new SpawnSite("fiber " + fiber + " was spawned by " + parent + where,
                captured != null ? captured.getStackTrace() : null);
    }
}
