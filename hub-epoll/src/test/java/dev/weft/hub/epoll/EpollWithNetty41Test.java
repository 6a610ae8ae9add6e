package dev.weft.hub.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Issue 23 item 14: Netty 4.1 on the class path (what Maven resolves when Lettuce 6, Reactor Netty or
 * gRPC sit next to hub-epoll without Netty's BOM: netty-common, -buffer, -transport and -resolver at
 * 4.1, the epoll jars at 4.2). A child JVM gets this very class path with the real 4.1 jars swapped in.
 * Before: the first hub died with {@code NoClassDefFoundError: io/netty/util/concurrent/ThreadAwareExecutor}.
 * Now the default selection falls back to nio with one WARNING that names the clash and the fix, and
 * naming epoll fails with the same explanation.
 */
@EnabledOnOs(OS.LINUX)
@org.junit.jupiter.api.Timeout(60)
class EpollWithNetty41Test {
    private static final List<String> SWAPPED = List.of("netty-common", "netty-buffer", "netty-transport", "netty-resolver");

    /** Runs in the child JVM. */
    public static final class Child {
        public static void main(String[] args) {
            HubBackend chosen = Backends.select(null);
            System.out.println("chosen: " + chosen.name());
            try (Poller p = chosen.open()) {
                p.poll(0);
                System.out.println("polled on " + p.backendName());
            }
            try {
                Backends.select("epoll");
                System.out.println("epoll was selected");
            } catch (BackendUnavailableException e) {
                System.out.println("named: " + e.getMessage());
            }
        }
    }

    @Test
    void theDefaultFallsBackToNioWithAWarningNamingTheClashAndNamingEpollFailsWithIt() throws Exception {
        Path netty41 = Path.of(System.getProperty("weft.netty41.dir", "target/netty-4.1"));
        List<String> path = new ArrayList<>();
        int swapped = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            String artifact = SWAPPED.stream().filter(a -> file.startsWith(a + "-4.")).findFirst().orElse(null);
            if (artifact == null) {
                path.add(entry);
                continue;
            }
            try (var jars = Files.list(netty41)) {
                path.add(jars.filter(j -> j.getFileName().toString().startsWith(artifact + "-4.1.")).findFirst()
                        .orElseThrow(() -> new AssertionError(artifact + " 4.1 is not in " + netty41)).toString());
            }
            swapped++;
        }
        assertEquals(SWAPPED.size(), swapped, "the 4.2 jars found on the class path: " + System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, path),
                Child.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("chosen: nio") && out.contains("polled on nio"), out);
        assertTrue(out.contains("WARNING: Weft hub backend: nio, NOT the better backend: epoll (dev.weft:hub-epoll) failed:"
                + " Netty on the class path is not 4.2 throughout: netty-common 4.1.137.Final"), out);
        assertTrue(out.contains("io.netty:netty-bom:4.2.18.Final"), "the fix: " + out);
        assertTrue(out.contains("Lettuce 6"), "who brings 4.1: " + out);
        assertTrue(out.contains("named: -Dweft.hub=epoll selects the epoll backend, but it cannot run here: Netty on the"
                + " class path is not 4.2 throughout"), out);
        assertTrue(!out.contains("NoClassDefFoundError"), out);
    }

    /** Users get 4.2 throughout from the BOM: weft-bom imports netty-bom at the version the backends are tested with. */
    @Test
    void weftBomImportsNettysBomAtTheTestedVersion() throws Exception {
        String bom = Files.readString(Path.of("..", "bom", "pom.xml"));
        String normalized = bom.replaceAll("\\s+", "");
        assertTrue(normalized.contains("<groupId>io.netty</groupId><artifactId>netty-bom</artifactId><version>"
                + dev.weft.hub.unix.NettyClasspath.TESTED + "</version><type>pom</type><scope>import</scope>"), bom);
    }
}
