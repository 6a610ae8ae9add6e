package dev.weft.junit5;

import dev.weft.hub.sim.SimSettings;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test run under simulation, once per seed: each run is the main fiber of a hub on the
 * {@code sim} backend (virtual time, a seeded order among ready fibers, an in-memory network), so a
 * race that shows once in ten thousand real runs shows at some seed, and that seed replays it exactly.
 *
 * <pre>
 * &#64;SimulationTest(seeds = 500)
 * void everyItemArrives(Simulation sim) throws Exception {   // the Simulation parameter is optional
 *     ...                                                   // plain fiber code; Fiber.sleep(1 h) takes microseconds
 * }
 * </pre>
 *
 * <ul>
 * <li><b>Seeds.</b> {@link #seeds()} runs, seeds {@link #firstSeed()}, +1, ...; the system property
 *     {@code weft.sim.seed=S} runs only seed S (the replay), {@code weft.sim.seeds=N} changes the count,
 *     {@code weft.sim.firstSeed=B} the first, {@code weft.sim.replay=TOKEN} one run with every setting
 *     of a token the failure printed.</li>
 * <li><b>Failure.</b> The first failing seed stops the test with an {@link AssertionError} naming the
 *     seed, the replay token, the virtual time, the trace hash and the last scheduling decisions and
 *     network deliveries; the test's exception is its cause. A run also fails when the simulation
 *     itself failed: input from a real thread, a livelock, the virtual time limit.</li>
 * <li><b>Determinism</b> ({@link #checkDeterminism()}): each seed runs twice and the two traces must be
 *     equal record by record; a difference fails with the first divergent record.</li>
 * <li><b>Lifecycle.</b> {@code @BeforeEach}/{@code @AfterEach} run once around all seeds, on the test
 *     thread, outside the simulation: per-run set-up belongs in the body.</li>
 * </ul>
 *
 * Needs hub-sim and {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}, as every hub does.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(SimulationExtension.class)
public @interface SimulationTest {
    /** How many seeds to run. */
    int seeds() default 100;

    /** The first seed. */
    long firstSeed() default 1;

    /** The order among ready fibers. */
    SimSettings.Policy policy() default SimSettings.Policy.RANDOM;

    /** Virtual CPU time per resumed fiber, in nanoseconds. */
    long stepNanos() default 1_000;

    /** PCT's depth d (with {@link SimSettings.Policy#PCT}). */
    int pctDepth() default 3;

    /** PCT's k for the first seed; later seeds use the step count the previous run measured. */
    long pctSteps() default 20_000;

    /** The most virtual time one run may take, in seconds. */
    long limitSeconds() default 24 * 3600;

    /** Whether each seed runs twice and the traces must be equal. */
    boolean checkDeterminism() default false;
}
