package dev.weft.fibers;

import dev.weft.fibers.internal.SpawnSite;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of a {@link Fiber} that most fibers never have, kept out of the fiber object so that
 * every fiber, and every parked one above all, is smaller. The fiber creates it on first need.
 * Hub thread only.
 */
final class FiberExtras {
    /** Where the fiber was spawned, when spawn sites are captured ({@link SpawnSite#CAPTURE}). */
    SpawnSite spawnSite;
    /** The fiber's {@code toString()}, made once (its children keep it as their parent's label). */
    String label;
    /** What the pending STALL interruption throws (a {@link BlockedForeverException}'s message). */
    String stallReport;
    /** What the next kill delivery throws instead of {@link FiberKilledError}; set by {@code kill(Throwable)}. */
    Throwable killWith;
    /** Kills thrown at the fiber so far; the hub abandons one that swallowed {@link Hub#KILL_LIMIT}. */
    int killsDelivered;
    /** The callbacks given to {@code link} and their on-exit wrappers, for {@code unlink}. */
    Map<Consumer<?>, Consumer<?>> links;
    /** Fiber-local values ({@link FiberLocal}); null until one is set, dropped when the fiber ends. */
    FiberLocal.Slots locals;
}
