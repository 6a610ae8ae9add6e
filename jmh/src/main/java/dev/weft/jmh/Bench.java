package dev.weft.jmh;

import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./weft bench}: runs the switch benchmarks and prints each score with its ratio to the
 * raw-continuation floor and to the virtual-thread baseline measured in the same run.
 *
 * <pre>
 * Bench [--quick | --full | --ci | --memory] [--backend NAME[,NAME...] | --backend all] [--include REGEX]
 *       [--param NAME=V[,V...]]... [--result FILE]
 * </pre>
 * <ul>
 *   <li>{@code --quick} (default): 2 × 1 s warm-up, 3 × 1 s measurement, 1 fork: about 3 minutes
 *       per backend on a 2-core machine.
 *   <li>{@code --full}: 5 × 1 s warm-up, 5 × 2 s measurement, 2 forks.
 *   <li>{@code --ci}: one short iteration of {@code FiberYield} (2 fibers) and the raw baseline,
 *       to prove the benchmarks build and run; it judges no speed.
 *   <li>{@code --memory}: only the retained-heap-per-parked-fiber measurement (no JMH run), with
 *       {@code --count N} items (default 100,000). {@code ./weft bench --memory --count 1000000
 *       -Xmx1g} shows that a million parked fibers (and as many virtual threads) fit in 1 GiB of heap.
 *   <li>{@code --backend}: the hub backends to measure; default: the one {@code -Dweft.hub} or
 *       the default selection picks; {@code all}: every backend available here.
 * </ul>
 * {@code --param} overrides a benchmark parameter (for example {@code --param fibers=10000}).
 * JMH's JSON goes to {@code --result} (default {@code jmh/target/jmh-result.json}), the table to
 * standard output and beside the JSON as {@code jmh-table.txt}.
 */
public final class Bench {
    private static final String SWITCH_BENCHMARKS = "dev\\.weft\\.jmh\\.(?!Echo|drivers\\.)[A-Za-z]+\\..*";

    private Bench() {
    }

    public static void main(String[] args) throws RunnerException, IOException, Exception {
        if (System.getProperty("weft.watchdog.ms") == null) {
            // The memory rounds run full GCs inside a fiber, blocking this JVM's hub on purpose: no
            // watchdog warnings for that (the JMH forks are other JVMs and keep their watchdog).
            System.setProperty("weft.watchdog.ms", "0");
        }
        String profile = "quick";
        String backendArg = null;
        String include = null;
        int parked = ParkedMemory.COUNT;
        List<String[]> params = new ArrayList<>();
        Path result = Path.of("jmh/target/jmh-result.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> profile = "quick";
                case "--full" -> profile = "full";
                case "--ci" -> profile = "ci";
                case "--memory" -> profile = "memory";
                case "--backend" -> backendArg = value(args, ++i, "--backend");
                case "--include" -> include = value(args, ++i, "--include");
                case "--count" -> parked = Integer.parseInt(value(args, ++i, "--count"));
                case "--param" -> {
                    String p = value(args, ++i, "--param");
                    int eq = p.indexOf('=');
                    if (eq <= 0 || eq == p.length() - 1) {
                        System.err.println("bench: --param needs NAME=VALUE[,VALUE...], not '" + p + "'");
                        System.exit(2);
                    }
                    params.add(new String[] {p.substring(0, eq), p.substring(eq + 1)});
                }
                case "--result" -> result = Path.of(value(args, ++i, "--result"));
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("bench: unknown argument '" + args[i] + "'");
                    usage();
                    System.exit(2);
                }
            }
        }
        List<String> backends = backends(backendArg);
        Files.createDirectories(result.toAbsolutePath().getParent());

        ChainedOptionsBuilder options = new OptionsBuilder()
                .jvmArgs(forkJvmArgs())
                .param("backend", backends.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        switch (profile) {
            case "ci" -> options.include("dev\\.weft\\.jmh\\.FiberYield\\.")
                    .include("dev\\.weft\\.jmh\\.RawContinuationYield\\.")
                    .param("fibers", "2")
                    .param("continuations", "1")
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200))
                    .forks(1);
            case "full" -> options.include(include == null ? SWITCH_BENCHMARKS : include)
                    .warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                    .forks(2);
            default -> options.include(include == null ? SWITCH_BENCHMARKS : include)
                    .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                    .forks(1);
        }
        for (String[] p : params) {
            options.param(p[0], p[1].split(","));
        }
        System.out.println("weft bench: profile " + profile + ", backends " + backends + ", Java "
                + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        Collection<RunResult> runs = profile.equals("memory") ? List.of() : new Runner(options.build()).run();

        List<ParkedMemory.Result> memory = new ArrayList<>();
        if (!profile.equals("ci") && include == null) {
            // each in a JVM of its own, rounds until the figure settles (classes, compiled code and the heap's shape warm up)
            for (String backend : backends) {
                memory.add(ParkedMemory.inOwnJvm(ParkedMemory.Kind.FIBERS, backend, parked));
            }
            memory.add(ParkedMemory.inOwnJvm(ParkedMemory.Kind.VIRTUAL_THREADS, backends.get(0), parked));
            memory.add(ParkedMemory.inOwnJvm(ParkedMemory.Kind.FIBERS_AMONG_OTHER_KINDS, backends.get(0), parked));
        }
        String table = ResultTable.render(runs, memory);
        if (profile.equals("ci")) {
            table = "--ci: ONE 200 ms iteration after ONE 200 ms warm-up, to check that the benchmarks build and run."
                    + "\nThese figures and ratios are NOT measurements; run ./weft bench (or --full) for those.\n\n" + table;
        }
        System.out.println();
        System.out.println(table);
        Path tableFile = result.resolveSibling("jmh-table.txt");
        Files.writeString(tableFile, table);
        System.out.println("JMH JSON: " + result + "   table: " + tableFile);
    }

    /**
     * The JVM options of every fork: this JVM's own (so that {@code -D} options given to {@code ./weft
     * bench} reach the forks) without the flags each benchmark's {@code @Fork(jvmArgsAppend)} adds
     * anyway, which JMH would otherwise list and pass twice; plus, on JDK 23+, permission for JMH's own
     * {@code sun.misc.Unsafe} calls, which JDK 24+ warns about.
     */
    private static String[] forkJvmArgs() {
        List<String> args = new ArrayList<>();
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.equals(JvmArgs.EXPORTS) && !a.equals(JvmArgs.NATIVE) && !a.startsWith("--sun-misc-unsafe-memory-access")) {
                args.add(a);
            }
        }
        if (Runtime.version().feature() >= 23) {
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        return args.toArray(String[]::new);
    }

    private static List<String> backends(String arg) {
        if (arg == null) {
            return List.of(Backends.select().name());
        }
        if (arg.equals("all")) {
            return Backends.available().stream().map(HubBackend::name).toList();
        }
        List<String> names = List.of(arg.split(","));
        for (String name : names) {
            Backends.select(name); // fails here, with the reason, rather than in every fork
        }
        return names;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("bench: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static void usage() {
        System.err.println("""
                usage: ./weft bench [--quick | --full | --ci | --memory [--count N]] [--backend NAME[,NAME...] | --backend all]
                                    [--include REGEX] [--param NAME=V[,V...]]... [--result FILE]
                       ./weft bench echo ...   the echo comparison (see the README)""");
    }
}
