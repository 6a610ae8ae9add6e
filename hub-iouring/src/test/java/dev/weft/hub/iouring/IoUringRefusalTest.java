package dev.weft.hub.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.hub.Availability;
import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.Backends;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where io_uring is refused, the backend says which refusal it is and how to lift it, and
 * {@code -Dweft.hub=io_uring} fails with that sentence. The seccomp case runs for real: a child JVM
 * under a seccomp filter that refuses {@code io_uring_setup/enter/register} with EPERM, as Docker's
 * default profile does (the filter is compiled from {@code seccomp-deny-iouring.c} with the system's
 * C compiler). The sysctl cases cannot be produced without changing the machine's sysctl, so they
 * are checked on {@link IoUringRefusal#explain} with the cause Netty reports for them (measured:
 * the same message as under seccomp).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
@org.junit.jupiter.api.Timeout(120)
class IoUringRefusalTest {
    private static final RuntimeException EPERM = new RuntimeException("failed to create io_uring ring fd: Operation not permitted");

    @Test
    void theSysctlSaysWhichRefusalItIs() {
        String all = IoUringRefusal.explain(EPERM, "2\n", true, "6.18");
        assertTrue(all.contains("kernel.io_uring_disabled=2") && all.contains("sysctl -w kernel.io_uring_disabled=0"), all);
        String group = IoUringRefusal.explain(EPERM, "1\n", false, "6.18");
        assertTrue(group.contains("kernel.io_uring_disabled=1") && group.contains("kernel.io_uring_group"), group);
        String seccomp = IoUringRefusal.explain(EPERM, "1\n", true, "6.18");
        assertTrue(seccomp.contains("seccomp") && seccomp.contains("kernel.io_uring_disabled is 1"), seccomp);
        String old = IoUringRefusal.explain(EPERM, null, false, "5.15");
        assertTrue(old.contains("seccomp") && old.contains("absent (kernel before 6.6)"), old);
        String memlock = IoUringRefusal.explain(new RuntimeException("failed to create io_uring ring fd: Cannot allocate memory"),
                "0", false, "5.10");
        assertTrue(memlock.contains("RLIMIT_MEMLOCK"), memlock);
        String noLib = IoUringRefusal.explain(new UnsatisfiedLinkError("could not load netty_transport_native_io_uring42"),
                "0", false, "6.18");
        assertTrue(noLib.contains("netty-transport-native-io_uring:4.2.18.Final:"), noLib);
        for (String s : List.of(all, group, seccomp, old, memlock, noLib)) {
            assertTrue(s.contains("-Dweft.hub=epoll"), "every reason names the way out: " + s);
        }
    }

    @Test
    void underADockerLikeSeccompProfileTheBackendNamesSeccompAndANamedChoiceFails(@TempDir Path dir) throws Exception {
        assumeTrue(new IoUringBackend().availability().available(), "io_uring is refused here already");
        Path cc = Path.of("/usr/bin/cc");
        assumeTrue(Files.isExecutable(cc), "SKIPPED: no C compiler at /usr/bin/cc to build the seccomp filter (apt-get install gcc)");
        Path source = dir.resolve("seccomp-deny-iouring.c");
        try (InputStream in = IoUringRefusalTest.class.getResourceAsStream("/seccomp-deny-iouring.c")) {
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path wrapper = dir.resolve("seccomp-deny-iouring");
        String compiled = run(List.of(cc.toString(), "-O2", "-o", wrapper.toString(), source.toString()));
        assertTrue(Files.isExecutable(wrapper), "the filter did not compile: " + compiled);

        String out = run(childJvm(wrapper, ReportAvailability.class.getName()));
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("seccomp") && out.contains("--security-opt seccomp=unconfined"), out);
        assertTrue(out.contains("select: -Dweft.hub=io_uring selects the io_uring backend, but it cannot run here"), out);
        assertTrue(out.contains("default: epoll"), "the default choice is untouched: " + out);
    }

    @Test
    void nettysOwnSwitchIsNamedToo() throws Exception {
        String out = run(childJvm(null, ReportAvailability.class.getName(), "-Dio.netty.transport.noNative=true"));
        assertTrue(out.contains("available=false") && out.contains("-Dio.netty.transport.noNative=true"), out);
    }

    /** Runs in the child JVM: prints the backend's availability, what a named choice throws, the default. */
    public static final class ReportAvailability {
        public static void main(String[] args) {
            Availability a = new IoUringBackend().availability();
            System.out.println("available=" + a.available() + " reason: " + a.reason());
            try {
                Backends.select("io_uring");
                System.out.println("select: io_uring");
            } catch (BackendUnavailableException e) {
                System.out.println("select: " + e.getMessage());
            }
            try {
                System.out.println("default: " + Backends.select(null).name());
            } catch (BackendUnavailableException e) {
                System.out.println("default: none: " + e.getMessage());
            }
        }
    }

    private static List<String> childJvm(Path wrapper, String main, String... flags) {
        List<String> cmd = new ArrayList<>();
        if (wrapper != null) {
            cmd.add(wrapper.toString());
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(flags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        return cmd;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not end: " + cmd);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd).replace(File.pathSeparator, " ") + "\n" + text);
        return text;
    }
}
