package dev.weft.hub.sim;

/**
 * A simulation run failed for a reason of the simulation itself: input from a real thread, a livelock,
 * the virtual time limit. Its message names the seed, the virtual time and what to do. An {@link Error},
 * so that a retry loop that catches exceptions does not swallow it and spin on.
 */
public final class SimulationException extends Error {
    private static final long serialVersionUID = 1L;

    /** With the message to show. */
    public SimulationException(String message) {
        super(message);
    }
}
