package dev.weft.jmh.connections;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of {@link ConnectionsBench} that talks in lines: started through {@code bash -c
 * 'ulimit -n LIMIT; exec java ...'} (so its soft descriptor limit is raised as far as the hard limit
 * allows, and its pid is the JVM's), commands on its standard input, answers on its standard output,
 * its standard error passed through. Closing it closes its standard input (the children end then)
 * and kills it if it has not ended within a few seconds.
 */
final class Child implements AutoCloseable {
    private final String name;
    private final Process process;
    private final PrintStream in;
    private final BufferedReader out;

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code mainClass} with {@code jvmOptions} and {@code args} in a JVM whose soft descriptor
     * limit is {@code fdLimit}, on this JVM's class path.
     */
    static Child start(String name, long fdLimit, List<String> jvmOptions, Class<?> mainClass, List<String> args)
            throws IOException {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.addAll(jvmOptions);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        java.addAll(args);
        StringBuilder script = new StringBuilder("ulimit -n " + fdLimit + " && exec");
        for (String word : java) {
            script.append(' ').append(quote(word));
        }
        Process p = new ProcessBuilder("bash", "-c", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Child(name, p);
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The child's pid (the JVM's: bash exec'd it). */
    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    /** Sends one command line. */
    void send(String command) {
        in.println(command);
    }

    /**
     * Reads lines until one starts with {@code prefix + " "}; returns the words after it. Blocks the
     * calling thread until then, or until the child ends ({@link IllegalStateException} naming it).
     *
     * @throws IllegalStateException if the child answers {@code ERROR ...} or ends first
     */
    String[] expect(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix + " ")) {
                return line.substring(prefix.length() + 1).trim().split("\\s+");
            }
            if (line.startsWith("ERROR")) {
                throw new IllegalStateException(name + " failed: " + line.substring(5).trim());
            }
            ConnectionsBench.out.println("  [" + name + "] " + line); // anything else it says (a JVM warning)
        }
        throw new IllegalStateException(name + " ended before it said " + prefix + exitStatus());
    }

    private String exitStatus() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? " (exit status " + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Kills the child at once (time limit, shutdown hook). */
    void kill() {
        process.destroyForcibly();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Closes its standard input, waits up to 10 s for it to end, then kills it. */
    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                ConnectionsBench.out.println("WARNING: " + name + " did not end within 10 s of its input closing: killed");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
