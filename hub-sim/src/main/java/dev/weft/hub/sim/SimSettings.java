package dev.weft.hub.sim;

import java.util.Locale;

/**
 * How one simulation runs: the seed every random choice is drawn from, the order among ready fibers,
 * the virtual CPU time each resumed fiber costs, PCT's parameters and the virtual time limit.
 * {@link #token()} writes all of it in one line that {@link #parse} reads back (a replay token).
 *
 * @param seed       the seed of the run's random streams (scheduling, network)
 * @param policy     {@link Policy#FIFO} (as a real hub), {@link Policy#RANDOM} or {@link Policy#PCT}
 * @param stepNanos  virtual time each resumed fiber costs (0 allowed; 1 µs by default), so a fiber
 *                   that yields in a loop lets time pass as on a real machine
 * @param pctDepth   PCT's bug depth d (d - 1 priority change points)
 * @param pctSteps   PCT's k: the number of scheduling steps (with two or more ready fibers) the
 *                   change points are drawn from; should be near the run's real count
 * @param limitNanos the most virtual time a run may take before it fails as "did not finish"
 */
public record SimSettings(long seed, Policy policy, long stepNanos, int pctDepth, long pctSteps, long limitNanos) {
    /** The order among fibers ready at the same step. */
    public enum Policy {
        /** First ready, first run: a real hub's order. */
        FIFO,
        /** A uniform seeded choice among the ready fibers. */
        RANDOM,
        /** Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): seeded priorities, d - 1 change points. */
        PCT
    }

    /** System properties read by {@link #fromSystemProperties()}. */
    public static final String SEED = "weft.sim.seed";
    /** The policy property ({@code FIFO}, {@code RANDOM}, {@code PCT}). */
    public static final String POLICY = "weft.sim.policy";

    /** Checks the values. */
    public SimSettings {
        if (policy == null) {
            throw new IllegalArgumentException("policy is null: pick FIFO, RANDOM or PCT");
        }
        if (stepNanos < 0 || pctDepth < 1 || pctSteps < 1 || limitNanos <= 0) {
            throw new IllegalArgumentException("stepNanos >= 0, pctDepth >= 1, pctSteps >= 1 and limitNanos > 0 are"
                    + " required; got " + token());
        }
    }

    /** RANDOM order, 1 µs per step, PCT(3, 20,000) when chosen, a limit of 24 h of virtual time. */
    public static SimSettings of(long seed) {
        return new SimSettings(seed, Policy.RANDOM, 1_000L, 3, 20_000L, 24 * 3_600_000_000_000L);
    }

    /** {@code weft.sim.seed} (default 1) and {@code weft.sim.policy} (default RANDOM) over {@link #of}, for {@code -Dweft.hub=sim}. */
    public static SimSettings fromSystemProperties() {
        SimSettings s = of(Long.getLong(SEED, 1L));
        String p = System.getProperty(POLICY);
        return p == null ? s : s.withPolicy(Policy.valueOf(p.trim().toUpperCase(Locale.ROOT)));
    }

    /** This with another seed. */
    public SimSettings withSeed(long s) {
        return new SimSettings(s, policy, stepNanos, pctDepth, pctSteps, limitNanos);
    }

    /** This with another policy. */
    public SimSettings withPolicy(Policy p) {
        return new SimSettings(seed, p, stepNanos, pctDepth, pctSteps, limitNanos);
    }

    /** This with another virtual CPU time per step. */
    public SimSettings withStepNanos(long nanos) {
        return new SimSettings(seed, policy, nanos, pctDepth, pctSteps, limitNanos);
    }

    /** This with PCT's depth and step count. */
    public SimSettings withPct(int depth, long steps) {
        return new SimSettings(seed, policy, stepNanos, depth, steps, limitNanos);
    }

    /** This with another virtual time limit. */
    public SimSettings withLimitNanos(long nanos) {
        return new SimSettings(seed, policy, stepNanos, pctDepth, pctSteps, nanos);
    }

    /** One line with every setting: {@code sim:v1;seed=7;policy=PCT;step=1000;d=3;k=20000;limit=86400000000000}. */
    public String token() {
        return "sim:v1;seed=" + seed + ";policy=" + policy + ";step=" + stepNanos + ";d=" + pctDepth + ";k=" + pctSteps
                + ";limit=" + limitNanos;
    }

    /** Reads a {@link #token()}. */
    public static SimSettings parse(String token) {
        if (token == null || !token.startsWith("sim:v1;")) {
            throw new IllegalArgumentException("not a simulation replay token (it starts with sim:v1;): " + token);
        }
        SimSettings s = of(1);
        for (String part : token.substring("sim:v1;".length()).split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + part + "' in replay token " + token + " is not name=value");
            }
            String v = part.substring(eq + 1);
            s = switch (part.substring(0, eq)) {
                case "seed" -> s.withSeed(Long.parseLong(v));
                case "policy" -> s.withPolicy(Policy.valueOf(v));
                case "step" -> s.withStepNanos(Long.parseLong(v));
                case "d" -> s.withPct(Integer.parseInt(v), s.pctSteps);
                case "k" -> s.withPct(s.pctDepth, Long.parseLong(v));
                case "limit" -> s.withLimitNanos(Long.parseLong(v));
                default -> throw new IllegalArgumentException("unknown setting '" + part + "' in replay token " + token);
            };
        }
        return s;
    }
}
