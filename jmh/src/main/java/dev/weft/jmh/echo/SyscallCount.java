package dev.weft.jmh.echo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The system calls one process makes during a measured window, counted by {@code perf stat} on the
 * kernel's syscall tracepoints ({@code --syscalls} of {@code bench echo} and {@code bench http}):
 * every syscall, and the ones an echo or HTTP server's round trip is made of. Needs {@code perf} and
 * permission for tracepoints (root, or {@code kernel.perf_event_paranoid} &le; -1); {@link #start}
 * says why not otherwise.
 *
 * <p>Thread rule: the driver's thread.
 */
public final class SyscallCount implements AutoCloseable {
    /** The tracepoints counted: all syscalls first, then the ones named in the table. */
    static final List<String> EVENTS = List.of("raw_syscalls:sys_enter", "syscalls:sys_enter_io_uring_enter",
            "syscalls:sys_enter_read", "syscalls:sys_enter_write", "syscalls:sys_enter_recvfrom",
            "syscalls:sys_enter_sendto", "syscalls:sys_enter_epoll_wait", "syscalls:sys_enter_futex");

    private final Process perf;
    private final Path output;

    private SyscallCount(Process perf, Path output) {
        this.perf = perf;
        this.output = output;
    }

    /** Starts counting the syscalls of process {@code pid}. */
    public static SyscallCount start(long pid) throws IOException {
        Path out = Files.createTempFile("weft-syscalls", ".csv");
        Process p = new ProcessBuilder("perf", "stat", "-x", ",", "-o", out.toString(), "-e", String.join(",", EVENTS),
                "-p", Long.toString(pid)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new SyscallCount(p, out);
    }

    /**
     * Stops counting (SIGINT, as perf expects) and returns the counts per event ("all" for every
     * syscall, else the syscall's name), empty if perf failed.
     */
    public Map<String, Long> stop() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            String[] f = line.split(",");
            if (f.length < 3 || line.startsWith("#")) {
                continue;
            }
            try {
                long n = Long.parseLong(f[0].trim());
                String event = f[2].trim();
                counts.put(event.equals("raw_syscalls:sys_enter") ? "all" : event.replace("syscalls:sys_enter_", ""), n);
            } catch (NumberFormatException notCounted) {
                // "<not supported>" / "<not counted>"
            }
        }
        Files.deleteIfExists(output);
        return counts;
    }

    /** "2.01 (read 1.00, write 1.00, epoll_wait 0.01)": per round trip, the named calls that occurred. */
    public static String perRoundTrip(Map<String, Long> counts, long roundTrips) {
        if (counts.isEmpty() || roundTrips <= 0) {
            return "n/a";
        }
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%.2f (", counts.getOrDefault("all", 0L) / (double) roundTrips));
        String sep = "";
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            double per = e.getValue() / (double) roundTrips;
            if (!e.getKey().equals("all") && per >= 0.005) {
                sb.append(sep).append(String.format(java.util.Locale.ROOT, "%s %.2f", e.getKey(), per));
                sep = ", ";
            }
        }
        return sb.append(")").toString();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (perf.isAlive()) {
            stop();
        }
    }
}
