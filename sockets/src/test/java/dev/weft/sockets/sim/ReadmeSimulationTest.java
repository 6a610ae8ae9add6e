package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.weft.hub.sim.SimSettings;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The README's simulation example ({@code <!-- sim-readme: ... -->}) compiles with this module's class
 * path and passes under its 200 seeds; without the server's deduplication (the line the README names)
 * it fails at the seed the README shows, with the message the README shows, and {@code
 * -Dweft.sim.seed} replays that very run.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
@org.junit.jupiter.api.Timeout(120)
class ReadmeSimulationTest {
    private static final Pattern CODE = Pattern.compile("<!-- sim-readme: ([^ ]+) -->\\s*\\n```java\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern FAILURE = Pattern.compile("<!-- sim-readme: failure -->\\s*\\n```text\\n(.*?)\\n```", Pattern.DOTALL);
    /** The line the README tells the reader to change, and what to. */
    static final String DEDUP = "if (seen.add(request.getLong(0))) {";
    static final String NO_DEDUP = "if (true) {";
    /** Where the examples compile to; JUnit deletes it after the test, passed or failed. */
    @TempDir
    Path scratch;

    @Test
    void theReadmesExamplePassesAndItsMutantFailsAtTheShownSeedAndReplays() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher code = CODE.matcher(readme);
        assertTrue(code.find(), "README.md marks the simulation example");
        String source = code.group(2) + "\n";
        assertTrue(source.contains(DEDUP), "the example has the line the README asks to change");
        Matcher shown = FAILURE.matcher(readme);
        assertTrue(shown.find(), "README.md marks the failure it shows");

        EngineExecutionResults passed = run(compile(code.group(1), source));
        assertEquals(1, passed.testEvents().succeeded().count(), String.valueOf(passed.testEvents().failed().list()));

        Class<?> mutant = compile(code.group(1), source.replace(DEDUP, NO_DEDUP));
        String failure = onlyFailure(run(mutant)).getMessage();
        List<String> expected = shown.group(1).lines().toList();
        List<String> actual = failure.lines().limit(expected.size()).toList();
        assertEquals(expected, actual, "the README shows another failure than the mutant's:\n" + failure);

        Matcher seed = Pattern.compile("^Simulation failed at seed (\\d+),").matcher(failure);
        assertTrue(seed.find(), failure);
        String old = System.setProperty(SimSettings.SEED, seed.group(1));
        try {
            assertEquals(failure, onlyFailure(run(mutant)).getMessage(), "the replay differs");
        } finally {
            if (old == null) {
                System.clearProperty(SimSettings.SEED);
            } else {
                System.setProperty(SimSettings.SEED, old);
            }
        }
    }

    private Class<?> compile(String path, String source) throws Exception {
        Path dir = Files.createTempDirectory(scratch, "weft-readme-sim");
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                file.toString());
        assertEquals(0, status, "the README's example does not compile: " + errors.toString(StandardCharsets.UTF_8));
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass(path.replace('/', '.').replaceAll("\\.java$", ""));
    }

    private static EngineExecutionResults run(Class<?> test) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(test)).execute();
    }

    private static Throwable onlyFailure(EngineExecutionResults r) {
        List<Event> failed = r.testEvents().failed().list();
        assertEquals(1, failed.size(), "failed tests: " + failed);
        return failed.get(0).getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    }
}
