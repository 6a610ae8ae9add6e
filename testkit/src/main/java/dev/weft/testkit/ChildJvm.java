package dev.weft.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs a main class of the test class path: this JVM's {@code java},
 * Weft's JVM flags ({@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED
 * --enable-native-access=ALL-UNNAMED}), this JVM's {@code -Dweft.hub} when set (so that a test's nio pass
 * runs its child on nio too), the options given, {@code -cp} with this JVM's class path, the class and
 * its arguments. Not thread-safe (a builder); {@link #run} blocks.
 *
 * <pre>{@code
 * Processes.Result r = ChildJvm.of(WithoutFlag.class).withoutWeftFlags().run(50);
 * Process p = new ProcessBuilder(ChildJvm.of(LoadClients.class, "7788").command()).start();
 * }</pre>
 */
public final class ChildJvm {
    /** The export Weft's fibers need. */
    public static final String EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";
    /** Lets Netty load its native library on JDK 24+ without a warning. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private final String mainClass;
    private final List<String> args;
    private final List<String> options = new ArrayList<>();
    private boolean weftFlags = true;

    private ChildJvm(String mainClass, List<String> args) {
        this.mainClass = mainClass;
        this.args = args;
    }

    /** A JVM that runs {@code main} with {@code args}. */
    public static ChildJvm of(Class<?> main, String... args) {
        return of(main.getName(), args);
    }

    /** A JVM that runs the class called {@code mainClass} with {@code args}. */
    public static ChildJvm of(String mainClass, String... args) {
        return new ChildJvm(mainClass, List.of(args));
    }

    /** Leaves Weft's JVM flags out: what a user who forgot them sees. */
    public ChildJvm withoutWeftFlags() {
        weftFlags = false;
        return this;
    }

    /** Adds JVM options ({@code -Dname=value}, {@code -Xmx64m}...), after Weft's flags. */
    public ChildJvm jvmOptions(String... more) {
        options.addAll(List.of(more));
        return this;
    }

    /** The whole command line. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (weftFlags) {
            cmd.add(EXPORTS);
            cmd.add(NATIVE_ACCESS);
        }
        String hub = System.getProperty("weft.hub");
        if (hub != null && !hub.isBlank()) {
            cmd.add("-Dweft.hub=" + hub);
        }
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Runs it to its end, with no input; see {@link Processes#run(List, int)}. */
    public Processes.Result run(int timeoutSeconds) throws java.io.IOException, InterruptedException {
        return Processes.run(command(), timeoutSeconds);
    }
}
