package dev.weft.hub.iouring;

import dev.weft.hub.unix.NettyClasspath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why io_uring cannot run here, in one sentence with the fix. Netty reports every refusal of
 * {@code io_uring_setup} the same way ({@code failed to create io_uring ring fd: Operation not
 * permitted}): a container's seccomp profile, {@code kernel.io_uring_disabled=2}, or {@code =1} for a
 * process without {@code CAP_SYS_ADMIN}. This reads the sysctl and the capability to say which.
 *
 * <p>Thread rule: any thread (pure functions, and reads of two {@code /proc} files).
 */
final class IoUringRefusal {
    static final Path SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");
    private static final String INSTEAD = "; Weft's default backend (epoll) needs none of this: unset -Dweft.hub or run"
            + " with -Dweft.hub=epoll";

    private IoUringRefusal() {
    }

    /**
     * The reason for Netty's {@code cause}.
     *
     * @param sysctl      the content of {@code /proc/sys/kernel/io_uring_disabled}, or null when it is
     *                    absent (kernels before 6.6) or unreadable
     * @param sysAdmin    whether this process has {@code CAP_SYS_ADMIN}
     * @param kernel      {@code os.version}, for messages
     */
    static String explain(Throwable cause, String sysctl, boolean sysAdmin, String kernel) {
        String message = chain(cause);
        if (message.contains("noNative")) {
            return "Netty's native transports are turned off by -Dio.netty.transport.noNative=true" + INSTEAD;
        }
        if (linkFailure(cause)) {
            return "Netty's native io_uring library could not be loaded; put io.netty:netty-transport-native-io_uring:"
                    + NettyClasspath.TESTED + ":" + NettyClasspath.linuxClassifier() + " on the class path (hub-iouring declares"
                    + " linux-x86_64 and linux-aarch_64)" + INSTEAD;
        }
        if (message.contains("kernel version") || message.contains("Not all operations are supported")) {
            return "Linux " + kernel + " is too old for Netty 4.2's io_uring: it needs 5.11 or newer (6.1 or newer"
                    + " recommended)" + INSTEAD;
        }
        String disabled = sysctl == null ? null : sysctl.trim();
        if ("2".equals(disabled)) {
            return "io_uring is disabled for every process by the sysctl kernel.io_uring_disabled=2; set it to 0"
                    + " (sysctl -w kernel.io_uring_disabled=0) to allow it" + INSTEAD;
        }
        if ("1".equals(disabled) && !sysAdmin) {
            return "io_uring is allowed only to processes with CAP_SYS_ADMIN or in the group kernel.io_uring_group,"
                    + " by the sysctl kernel.io_uring_disabled=1, and this process is neither; set the sysctl to 0 or"
                    + " add this user to that group" + INSTEAD;
        }
        if (message.contains("Operation not permitted")) {
            return "io_uring_setup was refused (EPERM) although kernel.io_uring_disabled is "
                    + (disabled == null ? "absent (kernel before 6.6)" : disabled)
                    + ": most likely a seccomp profile. Docker 25+, containerd and Kubernetes' RuntimeDefault profile"
                    + " refuse io_uring; run the container with --security-opt seccomp=unconfined or a profile that"
                    + " allows io_uring_setup, io_uring_enter and io_uring_register" + INSTEAD;
        }
        if (message.contains("Cannot allocate memory")) {
            return "io_uring_setup failed with ENOMEM: before Linux 5.12 the rings count against RLIMIT_MEMLOCK"
                    + " (ulimit -l); raise it or use a newer kernel" + INSTEAD;
        }
        return "Netty's io_uring could not start on Linux " + kernel + " (needs 5.11 or newer, a kernel that allows"
                + " io_uring and no seccomp profile that refuses it)" + INSTEAD;
    }

    /** {@code /proc/sys/kernel/io_uring_disabled}, or null when absent or unreadable. */
    static String readSysctl() {
        try {
            return Files.readString(SYSCTL);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether this process has {@code CAP_SYS_ADMIN} (bit 21 of CapEff in {@code /proc/self/status}). */
    static boolean hasSysAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 21)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: say what the sysctl allows without guessing
        }
        return false;
    }

    private static boolean linkFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof LinkageError) {
                return true;
            }
        }
        return false;
    }

    private static String chain(Throwable cause) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = cause; t != null && sb.length() < 4000; t = t.getCause()) {
            sb.append(t).append(" | ");
        }
        return sb.toString();
    }
}
