package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * This JVM's open file descriptors, from Linux's {@code /proc/self/fd}, for leak checks: count before,
 * act, count after. Where there is no {@code /proc/self/fd} (macOS), {@link #supported()} is false and the
 * counts are 0. Any thread.
 */
public final class Descriptors {
    private static final Path FDS = Path.of("/proc/self/fd");

    private Descriptors() {
    }

    /** Whether this system lists a process's descriptors (Linux). */
    public static boolean supported() {
        return Files.isDirectory(FDS);
    }

    /** How many descriptors this JVM has open (files, sockets, pipes, epoll instances ...). */
    public static long open() {
        if (!supported()) {
            return 0;
        }
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FDS, e);
        }
    }

    /** How many of them are sockets (entries that link to {@code socket:[...]}). */
    public static int openSockets() {
        if (!supported()) {
            return 0;
        }
        try (Stream<Path> fds = Files.list(FDS)) {
            return (int) fds.filter(Descriptors::isSocket).count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FDS, e);
        }
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException closedWhileListing) {
            return false;
        }
    }
}
