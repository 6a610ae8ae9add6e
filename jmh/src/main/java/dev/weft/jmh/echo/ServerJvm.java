package dev.weft.jmh.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark server in a JVM of its own, started by a driver ({@code bench echo}, {@code bench
 * tls-burst}): pinned to CPU 0 with {@code taskset} when asked, with the key store of the TLS
 * servers, speaking {@link EchoServerMain#serve}'s protocol ({@code PORT}, {@code cpu}, {@code
 * stop}). {@code WEFT_ECHO_SERVER_OPTS} adds JVM options (a profiler agent, a JFR recording).
 *
 * <p>Thread rule: the driver's thread.
 */
public final class ServerJvm implements AutoCloseable {
    private final Process process;
    private final PrintStream toServer;
    private final BufferedReader fromServer;
    private final int port;

    private ServerJvm(Process process, String name) throws IOException {
        this.process = process;
        this.toServer = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.fromServer = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = fromServer.readLine();
        while (line != null && !line.startsWith("PORT ")) {
            line = fromServer.readLine(); // an agent may print first
        }
        if (line == null) {
            process.destroyForcibly();
            throw new IllegalStateException("server " + name + " did not start");
        }
        this.port = Integer.parseInt(line.substring(5).trim());
    }

    /**
     * Starts {@code mainClass} with argument {@code name} on this JVM's class path.
     *
     * @param keyStore the TLS key store (passed as {@code -Dweft.echo.keystore}), or null
     * @param pin      run it on CPU 0 only
     */
    public static ServerJvm start(Class<?> mainClass, String name, Path keyStore, boolean pin) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (pin) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        String extra = System.getenv("WEFT_ECHO_SERVER_OPTS"); // e.g. a profiler agent, for the server JVMs only
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().replace("{server}", name).split("\\s+")));
        }
        if (keyStore != null) {
            cmd.add("-D" + TlsKeys.PROPERTY + "=" + keyStore);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName(), name));
        return new ServerJvm(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start(), name);
    }

    /**
     * Starts any server program that speaks the same protocol ({@code PORT <n>} on its output, exits
     * at {@code stop}), e.g. the Go servers of {@code bench multicore}, with {@code environment} added
     * to this process's. Not pinned. {@link #javaThreadsCpuNanos} means nothing for it.
     */
    public static ServerJvm startProgram(List<String> command, java.util.Map<String, String> environment, String name)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(environment);
        return new ServerJvm(pb.start(), name);
    }

    /** The server process's id (taskset execs the JVM: the same process). */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** The server process's CPU time so far (all its threads: JIT and GC included). */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElseThrow(
                () -> new IllegalStateException("this OS does not report a process's CPU time"));
    }

    /** The CPU time of the server's Java threads so far (no JIT compiler, no GC). */
    public long javaThreadsCpuNanos() throws IOException {
        toServer.println("cpu");
        for (String line; (line = fromServer.readLine()) != null; ) {
            if (line.startsWith("CPU ")) {
                return Long.parseLong(line.substring(4).trim());
            }
        }
        throw new IllegalStateException("the server ended before it reported its CPU time");
    }

    /** The thread groups {@link #cpuNanosByThreadGroup} reports, in this order. */
    public static final java.util.List<String> THREAD_GROUPS = java.util.List.of("java", "gc", "jit", "vm");

    /**
     * The CPU time so far of the server's live threads, summed per group ({@link #THREAD_GROUPS}): the
     * collector's threads ({@code gc}: G1, Parallel, ZGC, Shenandoah), the JIT compilers ({@code jit}),
     * the VM's own ({@code vm}: VM Thread, periodic task, service) and the rest ({@code java}). From
     * {@code /proc/PID/task/TID/schedstat} (nanoseconds, kernel time included); empty where there is
     * no such file (not Linux). A thread that ended meanwhile is missing: compare with {@link #cpuNanos}.
     */
    public java.util.Map<String, Long> cpuNanosByThreadGroup() {
        java.util.Map<String, Long> sums = new java.util.LinkedHashMap<>();
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        try (java.util.stream.Stream<Path> threads = java.nio.file.Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                try {
                    String comm = java.nio.file.Files.readString(t.resolve("comm")).trim();
                    long nanos = Long.parseLong(java.nio.file.Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                    sums.merge(threadGroup(comm), nanos, Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return java.util.Map.of();
        }
        return sums;
    }

    private static final java.util.List<String> GC_THREAD_PREFIXES = java.util.List.of("GC Thread", "G1 ", "GC ",
            "ZWorker", "ZDirector", "ZDriver", "ZStat", "ZUnmapper", "ZUncommit", "Shenandoah", "Shen");

    /** The group of a HotSpot thread by its name as the kernel shows it (15 characters at most). */
    static String threadGroup(String comm) {
        for (String gc : GC_THREAD_PREFIXES) {
            if (comm.startsWith(gc)) {
                return "gc";
            }
        }
        if (comm.contains("CompilerThre") || comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
            return "jit";
        }
        if (comm.equals("VM Thread") || comm.startsWith("VM Periodic") || comm.equals("Service Thread")
                || comm.startsWith("Monitor Deflat") || comm.startsWith("Sweeper")) {
            return "vm";
        }
        return "java";
    }

    /** Asks the server to stop; kills it after 5 s. */
    @Override
    public void close() throws InterruptedException {
        try (PrintStream in = toServer) {
            in.println("stop");
        } catch (RuntimeException ignored) {
            // already gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
