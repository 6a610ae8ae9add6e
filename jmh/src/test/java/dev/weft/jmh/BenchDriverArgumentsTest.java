package dev.weft.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Processes;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The command lines of {@code ./weft bench echo}, {@code http} and {@code tls-burst} ({@link CommandLine}):
 * {@code --help} prints the options and exits 0; a wrong argument is one line naming it and exit
 * status 2, before any server or load starts. Each driver runs in a child JVM (they exit).
 */
class BenchDriverArgumentsTest {
    private record Run(int status, String out, String err) {
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void helpPrintsTheOptionsAndExitsZero() throws Exception {
        Run echo = run("dev.weft.jmh.echo.EchoBench", "--help");
        assertEquals(0, echo.status(), echo::toString);
        assertTrue(echo.out().startsWith("usage: ./weft bench echo"), echo::toString);
        assertTrue(echo.out().contains("--connections") && echo.out().contains("netty-epoll"), echo::toString);
        Run http = run("dev.weft.jmh.http.HttpBench", "-h");
        assertEquals(0, http.status(), http::toString);
        assertTrue(http.out().startsWith("usage: ./weft bench http"), http::toString);
        assertTrue(http.out().contains("--pipeline") && http.out().contains("jdk-virtual"), http::toString);
        Run burst = run("dev.weft.jmh.burst.BurstBench", "--help");
        assertEquals(0, burst.status(), burst::toString);
        assertTrue(burst.out().startsWith("usage: ./weft bench tls-burst"), burst::toString);
        assertTrue(burst.out().contains("--protocols") && burst.out().contains("jdk-https"), burst::toString);
        Run multicore = run("dev.weft.jmh.multicore.MulticoreBench", "--help");
        assertEquals(0, multicore.status(), multicore::toString);
        assertTrue(multicore.out().startsWith("usage: ./weft bench multicore"), multicore::toString);
        assertTrue(multicore.out().contains("--echo-connections") && multicore.out().contains("golang-go"), multicore::toString);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWrongArgumentIsOneLineAndStatusTwo() throws Exception {
        assertRefused(run("dev.weft.jmh.echo.EchoBench", "--bogus"), "echo: unknown argument '--bogus' (--help lists the options)");
        assertRefused(run("dev.weft.jmh.http.HttpBench", "--connections"), "http: --connections needs a value");
        assertRefused(run("dev.weft.jmh.echo.EchoBench", "--measure", "five"), "echo: --measure needs a number, not 'five'");
        assertRefused(run("dev.weft.jmh.echo.EchoBench", "--servers", "netty"),
                "echo: unknown server 'netty'; known: weft-nio, weft-epoll");
        assertRefused(run("dev.weft.jmh.burst.BurstBench", "--protocols", "SSLv3"),
                "tls-burst: unknown protocol 'SSLv3'; known: TLSv1.3, TLSv1.2");
        assertRefused(run("dev.weft.jmh.multicore.MulticoreBench", "--warmup", "x"),
                "multicore: --warmup needs a number, not 'x'");
        assertRefused(run("dev.weft.jmh.multicore.MulticoreBench", "--no-http", "--no-echo"),
                "multicore: --no-http and --no-echo leave nothing to measure");
        assertRefused(run("dev.weft.jmh.burst.BurstBench", "--rounds", "0"),
                "tls-burst: --rounds, --steady and --interval-ms must be at least 1");
    }

    private static void assertRefused(Run r, String message) {
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().strip().startsWith(message), r::toString);
        assertEquals(1, r.err().strip().lines().count(), r::toString);
        assertEquals("", r.out(), r::toString);
    }

    private static Run run(String mainClass, String... args) throws Exception {
        Processes.Result r = ChildJvm.of(mainClass, args).run(30); // Weft's flags, as bench.sh gives them
        return new Run(r.exit(), r.out(), r.stderr());
    }
}
