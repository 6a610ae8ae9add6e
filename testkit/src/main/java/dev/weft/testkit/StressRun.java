package dev.weft.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The seed and the length of one randomized stress run, as every stress test picks them: {@code
 * -Dweft.stress.seed=S} replays a run's random draws (without it, a fresh seed from the clock), {@code
 * -Dweft.stress.seconds=N} sets how long it runs (default {@value #DEFAULT_SECONDS}; {@code ./weft
 * stress} asks for 60). {@link #replay()} says how to replay the run; it goes into every failure
 * message. Only the draws replay: the timing of threads and of real I/O does not. Any thread.
 *
 * @param seed    the seed of the run's draws
 * @param seconds how long it runs
 */
public record StressRun(long seed, long seconds) {
    /** How long a run takes when {@code weft.stress.seconds} is not set (the run inside {@code ./weft test}). */
    public static final long DEFAULT_SECONDS = 3;

    /** The run the system properties ask for; see the class comment. */
    public static StressRun pick() {
        return new StressRun(Long.getLong("weft.stress.seed", System.nanoTime()),
                Long.getLong("weft.stress.seconds", DEFAULT_SECONDS));
    }

    /** {@code "seed S (replay with -Dweft.stress.seed=S)"}, for failure messages. */
    public String replay() {
        return "seed " + seed + " (replay with -Dweft.stress.seed=" + seed + ")";
    }

    /** {@link #seconds()} as a duration. */
    public Duration length() {
        return Duration.ofSeconds(seconds);
    }

    /**
     * Prints what {@code summary} says the run did when the length was asked for ({@code ./weft stress});
     * quiet inside an ordinary test run, where a passing test prints nothing. Throws what {@code summary} throws.
     */
    public void report(Callable<String> summary) throws Exception {
        if (System.getProperty("weft.stress.seconds") != null) {
            System.out.println(summary.call());
        }
    }
}
