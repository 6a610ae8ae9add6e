package dev.weft.fibers;

/** The life of a {@link Fiber}. */
public enum FiberState {
    /** Spawned, not started yet. A kill now means it never runs. */
    NEW,
    /** Runnable: in the hub's ready queue. */
    SCHEDULED,
    /** Running on the hub thread (at most one fiber per hub). */
    RUNNING,
    /** Parked in a blocking call, waiting for an event, a timer or I/O. */
    WAITING,
    /** Finished by returning. */
    SUCCEEDED,
    /** Finished by throwing (other than {@link FiberKilledError}). */
    FAILED,
    /** Finished by a kill (also when killed before it started). */
    KILLED;

    /** Whether this state is final. */
    public boolean isDone() {
        return this == SUCCEEDED || this == FAILED || this == KILLED;
    }
}
