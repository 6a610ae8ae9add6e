package dev.weft.junit5;

import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Runs a {@link SimulationTest} method once per seed, each run the main fiber of a {@code sim} hub on
 * the test thread (see {@link SimulationTest}); resolves a {@link Simulation} parameter to the run's
 * simulation. When the runs pass, publishes a report entry ({@code simulation}: runs, decisions,
 * virtual time, wall time, decisions per second). Test thread.
 */
public final class SimulationExtension implements InvocationInterceptor, ParameterResolver {
    /** Public for JUnit. */
    public SimulationExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Simulation.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return null; // each run passes its own
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        invocation.skip();
        Method method = call.getExecutable();
        SimulationTest spec = method.getAnnotation(SimulationTest.class);
        if (spec == null) {
            throw new IllegalStateException("SimulationExtension runs methods annotated @SimulationTest; " + method + " is not");
        }
        SimSettings base = new SimSettings(spec.firstSeed(), spec.policy(), spec.stepNanos(), spec.pctDepth(),
                spec.pctSteps(), spec.limitSeconds() * 1_000_000_000L);
        List<SimSettings> runs = new ArrayList<>();
        String replay = System.getProperty("weft.sim.replay");
        String only = System.getProperty(SimSettings.SEED);
        if (replay != null && !replay.isBlank()) {
            runs.add(SimSettings.parse(replay.trim()));
        } else if (only != null && !only.isBlank()) {
            runs.add(base.withSeed(Long.parseLong(only.trim())));
        } else {
            long first = Long.getLong("weft.sim.firstSeed", spec.firstSeed());
            int count = Integer.getInteger("weft.sim.seeds", spec.seeds());
            for (int i = 0; i < count; i++) {
                runs.add(base.withSeed(first + i));
            }
        }
        long decisions = 0;
        long virtual = 0;
        long pctSteps = base.pctSteps();
        long wall = System.nanoTime();
        for (SimSettings s : runs) {
            if (s.policy() == SimSettings.Policy.PCT && runs.size() > 1) {
                s = s.withPct(s.pctDepth(), pctSteps);
            }
            Simulation first = runOnce(s, call, spec.checkDeterminism());
            if (spec.checkDeterminism()) {
                Simulation second = runOnce(s, call, true);
                String diverged = first.trace().firstDivergence(second.trace());
                if (diverged != null || first.trace().hash() != second.trace().hash()) {
                    throw new AssertionError("Simulation is not deterministic: seed " + s.seed() + " ran twice and the"
                            + " traces differ at " + diverged + " (hashes " + Long.toHexString(first.trace().hash())
                            + " and " + Long.toHexString(second.trace().hash()) + "). Something outside the seed"
                            + " reached the schedule: System.nanoTime or Math.random in the code, a real thread,"
                            + " an identity-hashed collection iterated in order, state kept between runs in a static."
                            + "\nLast records of the first run:\n" + first.trace().last()
                            + "Last records of the second run:\n" + second.trace().last());
                }
            }
            decisions += first.trace().decisions();
            virtual += first.elapsedNanos();
            pctSteps = Math.max(1, first.contendedSteps());
        }
        long tookNanos = System.nanoTime() - wall;
        context.publishReportEntry("simulation", runs.size() + " runs" + (spec.checkDeterminism() ? " (x2)" : "")
                + ", " + decisions + " decisions, " + String.format("%.1f", virtual / 1e9) + " s virtual in "
                + tookNanos / 1_000_000 + " ms wall, " + (tookNanos == 0 ? 0 : decisions * 1_000_000_000L / tookNanos)
                + " decisions/s");
    }

    private static Simulation runOnce(SimSettings s, ReflectiveInvocationContext<Method> call, boolean recordAll) {
        Method method = call.getExecutable();
        Object target = call.getTarget().orElse(null);
        method.setAccessible(true);
        return SimulationRuns.run(s, recordAll, seed -> "-Dtest=" + method.getDeclaringClass().getSimpleName() + "#"
                + method.getName() + " -D" + SimSettings.SEED + "=" + seed, sim -> () -> {
            Object[] args = call.getArguments().toArray();
            Class<?>[] types = method.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == Simulation.class) {
                    args[i] = sim;
                }
            }
            try {
                method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw rethrow(e.getCause());
            }
            return null;
        });
    }

    private static Exception rethrow(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return (Exception) t;
    }
}
