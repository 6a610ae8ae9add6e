package dev.weft.jmh.connections;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's file descriptors, from Linux's {@code /proc}: the soft limit and how many are open. */
final class Descriptors {
    private Descriptors() {
    }

    /** The soft "Max open files" limit of process {@code pid} ("self" for this one), or -1 if unlimited. */
    static long softLimit(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
            throw new IllegalStateException("/proc/" + pid + "/limits has no 'Max open files' line");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/limits (this benchmark needs Linux)", e);
        }
    }

    /** This process's soft descriptor limit. */
    static long softLimit() {
        return softLimit("self");
    }

    /** How many descriptors this process has open now (the entries of {@code /proc/self/fd}). */
    static long open() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the directory stream's own descriptor
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd (this benchmark needs Linux)", e);
        }
    }
}
