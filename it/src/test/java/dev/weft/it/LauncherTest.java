package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: the launcher's {@code test} and {@code install} commands. The real {@code ./weft} runs
 * from a copy of the checkout's root holding only the script, with a stand-in {@code mvn} first on
 * the PATH that records its arguments, writes Surefire reports as a run of the backend suites
 * does (a class on the default backend, the same class again with the {@code -nio} suffix, one with
 * {@code -io_uring} whose tests were all skipped, as where io_uring is refused) and exits
 * with the status the test asks for. A real {@code ./weft test} is what runs this test, so it cannot
 * run itself here; the reports' format is Surefire's.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "./weft is a bash script")
@org.junit.jupiter.api.Timeout(60)
class LauncherTest {
    @TempDir
    Path root;
    private Path mavenLog;

    private record Run(int status, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    @BeforeEach
    void copyTheLauncherAndAStandInMaven() throws IOException {
        Path weft = Path.of(System.getProperty("weft.launcher"));
        Files.copy(weft, root.resolve("weft"));
        Path bin = Files.createDirectories(root.resolve("fake-bin"));
        mavenLog = root.resolve("maven-args.txt");
        String mvn = """
                #!/bin/sh
                echo "$*" >> "$WEFT_TEST_MAVEN_LOG"
                report() { # module, file suffix, tests, failures, errors, skipped
                  mkdir -p "$1/target/surefire-reports"
                  cat > "$1/target/surefire-reports/TEST-dev.weft.$1.SomeTest$2.xml" <<EOF
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.2.xsd" version="3.0.2" name="dev.weft.$1.SomeTest" time="1.5" tests="$3" errors="$5" skipped="$6" failures="$4">
                  <properties><property name="tests" value="not this"/></properties>
                  <testcase name="aTest" classname="dev.weft.$1.SomeTest" time="0.1"/>
                </testsuite>
                EOF
                }
                report fibers "" 40 1 0 2
                report fibers "-nio" 40 0 1 2
                report sockets "" 25 0 0 0
                report sockets "-nio" 25 0 0 0
                report sockets "-io_uring" 25 0 0 25
                report http "" 7 0 0 3
                exit "${WEFT_TEST_MAVEN_STATUS:-0}"
                """;
        Path fake = bin.resolve("mvn");
        Files.writeString(fake, mvn);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        // A report an earlier run left: not counted.
        Path stale = Files.createDirectories(root.resolve("tls/target/surefire-reports")).resolve("TEST-dev.weft.tls.OldTest.xml");
        Files.writeString(stale, "<testsuite name=\"dev.weft.tls.OldTest\" tests=\"1000\" errors=\"0\" skipped=\"0\" failures=\"1000\">\n");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3600)));
    }

    private Run weft(int mavenStatus, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("weft").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.environment().put("PATH", root.resolve("fake-bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("WEFT_TEST_MAVEN_LOG", mavenLog.toString());
        pb.environment().put("WEFT_TEST_MAVEN_STATUS", Integer.toString(mavenStatus));
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "./weft " + String.join(" ", args) + " ended");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private String mavenRuns() throws IOException {
        return Files.exists(mavenLog) ? Files.readString(mavenLog) : "";
    }

    @Test
    void testEndsWithTheTotalsOverEveryModuleAndBackendOfThisRun() throws Exception {
        Run r = weft(0, "test", "-o");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.lastLine().matches("weft test: 162 tests run, 1 failures, 1 errors, 32 skipped \\(3 modules; 72 on the"
                + " default backend, 65 on nio, 25 on io_uring of which 25 skipped\\), 0 min \\d+ s - FAILED"), r.out());
        assertEquals("-B -ntp -Dstyle.color=never verify -o\n", mavenRuns());
    }

    @Test
    void aFailedBuildStillEndsWithTheTotalsAndKeepsMavensStatus() throws Exception {
        Run r = weft(1, "test");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.lastLine().matches("weft test: 162 tests run, 1 failures, 1 errors, 32 skipped \\(3 modules; 72 on the"
                + " default backend, 65 on nio, 25 on io_uring of which 25 skipped\\), 0 min \\d+ s - FAILED \\(Maven exit status 1\\)"), r.out());
    }

    @Test
    void testAndInstallHelpAreTheLaunchersOwnUsageAndRunNoMaven() throws Exception {
        Run test = weft(0, "test", "--help");
        assertEquals(0, test.status());
        assertTrue(test.out().startsWith("usage: ./weft test [MAVEN ARGS]\n"), test.out());
        assertTrue(test.out().contains("Ends with one line: the tests run, failures, errors and skipped"), test.out());
        Run install = weft(0, "install", "-h");
        assertEquals(0, install.status());
        assertTrue(install.out().startsWith("usage: ./weft install [MAVEN ARGS]\n"), install.out());
        assertTrue(install.out().contains("each with its sources and javadoc jars"), install.out());
        assertEquals("", mavenRuns(), "Maven's own help is not what these print");
        assertEquals("", test.err() + install.err());
    }
}
