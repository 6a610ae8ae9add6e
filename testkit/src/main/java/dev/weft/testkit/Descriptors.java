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

    /**
     * How many of this JVM's sockets are TCP connections to {@code remotePort} (any address, IPv4 or
     * IPv6, any state): the sockets one test opened to its own server, which other tests' sockets
     * closing meanwhile on other threads do not change. From {@code /proc/net/tcp} and {@code tcp6},
     * matched with this JVM's socket inodes; 0 where unsupported.
     */
    public static int openSocketsTo(int remotePort) {
        if (!supported()) {
            return 0;
        }
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(FDS)) {
            fds.forEach(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring("socket:[".length(), link.length() - 1));
                    }
                } catch (IOException closedWhileListing) {
                    // gone
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FDS, e);
        }
        String port = String.format(java.util.Locale.ROOT, ":%04X", remotePort);
        int count = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                    if (f.length > 9 && f[2].endsWith(port) && inodes.contains(f[9])) {
                        count++;
                    }
                }
            } catch (java.nio.file.NoSuchFileException noIpv6) {
                // no such table on this system
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + table, e);
            }
        }
        return count;
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException closedWhileListing) {
            return false;
        }
    }
}
