package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a user's project, built outside Weft's build, with exactly what README.md shows. The
 * README marks what it shows with HTML comments (invisible on GitHub) in front of fenced blocks:
 * {@code <!-- outside-project: PATH -->} for a file of the project (its pom.xml, its Java files), and
 * {@code <!-- outside-project: transcript -->} for the commands a user types ({@code $ mvn ...},
 * {@code $ java ...}) each followed by what it prints. This test writes the files, runs every command
 * in order with the README's own arguments, and compares standard output line by line, so the README
 * cannot rot.
 *
 * <p>Weft's artifacts come from a private repository under {@code target/} that maven-invoker-plugin's
 * {@code install} goal filled from this build (never {@code ~/.m2}, which other builds share); the
 * build's own local repository is read as a {@code file://} repository for plugins and third-party
 * jars, with Maven Central behind it.
 */
@org.junit.jupiter.api.Timeout(value = 15, unit = TimeUnit.MINUTES)
class OutsideProjectTest {
    private static final Pattern MARKED = Pattern.compile(
            "<!-- outside-project: ([^ ]+) -->\\s*\\n(`{3,})[a-z]*\\n(.*?)\\n\\2", Pattern.DOTALL);

    private record Step(List<String> command, String expectedOut) {
    }

    private static Path property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isBlank(), "system property " + name + " is set by it/pom.xml");
        return Path.of(value);
    }

    @Test
    void theReadmesProjectBuildsAgainstTheInstalledArtifactsAndItsCommandsPrintWhatItSays() throws Exception {
        String readme = Files.readString(property("weft.readme"));
        Map<String, String> files = new LinkedHashMap<>();
        String transcript = null;
        Matcher m = MARKED.matcher(readme);
        while (m.find()) {
            if (m.group(1).equals("transcript")) {
                assertEquals(null, transcript, "one transcript in README.md");
                transcript = m.group(3);
            } else {
                assertEquals(null, files.put(m.group(1), m.group(3) + "\n"), "two blocks for " + m.group(1));
            }
        }
        assertTrue(files.containsKey("pom.xml"), "README.md marks its pom.xml: " + files.keySet());
        assertTrue(files.keySet().stream().anyMatch(f -> f.startsWith("src/main/java/")), files.keySet().toString());
        assertTrue(transcript != null, "README.md marks a transcript");
        List<Step> steps = parse(transcript);

        Path dir = property("weft.it.dir");
        deleteRecursively(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent() == null ? dir : p.getParent());
            Files.writeString(p, f.getValue());
        }
        Path settings = writeSettings(dir.resolveSibling("outside-settings.xml"));

        for (Step step : steps) {
            run(dir, settings, step);
        }
        // The README's tests ran (Surefire with the README's argLine), not just compiled.
        for (String f : files.keySet()) {
            if (f.startsWith("src/test/java/") && f.endsWith("Test.java")) {
                String cls = f.substring("src/test/java/".length(), f.length() - ".java".length()).replace('/', '.');
                Path report = dir.resolve("target/surefire-reports/TEST-" + cls + ".xml");
                assertTrue(Files.exists(report), "Surefire ran " + cls);
                String xml = Files.readString(report);
                assertTrue(xml.contains("failures=\"0\"") && xml.contains("errors=\"0\"") && !xml.contains("tests=\"0\""), xml);
            }
        }
    }

    /** The transcript: "$ command" lines, each followed by the lines it prints. */
    private static List<Step> parse(String transcript) {
        List<Step> steps = new ArrayList<>();
        List<String> command = null;
        StringBuilder out = new StringBuilder();
        for (String line : transcript.split("\n", -1)) {
            if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(command, out.toString()));
                }
                command = List.of(line.substring(2).trim().split(" +"));
                out.setLength(0);
            } else {
                assertTrue(command != null, "the transcript starts with a command: " + line);
                out.append(line).append('\n');
            }
        }
        if (command != null) {
            steps.add(new Step(command, out.toString()));
        }
        assertFalse(steps.isEmpty(), "the transcript has commands");
        return steps;
    }

    /** A Maven settings file: the private repository as the local one; this build's own repository and Central to read from. */
    private static Path writeSettings(Path file) throws IOException {
        String userRepo = property("weft.user.repo").toUri().toString();
        String xml = """
                <settings>
                  <localRepository>%s</localRepository>
                  <profiles>
                    <profile>
                      <id>read-the-build-repository</id>
                      <repositories>
                        <repository><id>build-repository</id><url>%s</url></repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository><id>build-repository</id><url>%s</url></pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>read-the-build-repository</activeProfile></activeProfiles>
                </settings>
                """.formatted(property("weft.it.repo"), userRepo, userRepo);
        Files.writeString(file, xml);
        return file;
    }

    /** What a command printed and its status. */
    private record Result(int status, String out, String err) {
    }

    private static void run(Path dir, Path settings, Step step) throws Exception {
        Result r = execute(dir, settings, step.command(), System.getProperty("java.home"), Runtime.version().feature());
        String out = r.out();
        String err = r.err();
        String what = "'" + String.join(" ", step.command()) + "' in " + dir + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        assertEquals(0, r.status(), what);
        assertEquals(step.expectedOut(), out, what);
        // No JNI/native-access or internal-API warnings: the README's flags and manifest are enough.
        assertFalse(err.contains("WARNING"), what);
        assertFalse(err.contains("Exception"), what);
    }

    /** Runs a transcript command ({@code mvn} with the outside settings, or {@code java}) on the JDK at {@code javaHome}, Java {@code feature}. */
    private static Result execute(Path dir, Path settings, List<String> line, String javaHome, int feature) throws Exception {
        List<String> command = new ArrayList<>();
        String tool = line.get(0);
        switch (tool) {
            case "mvn" -> command.addAll(List.of(property("maven.home").resolve("bin/mvn").toString(), "-B", "-ntp",
                    "-s", settings.toString(), "-Dstyle.color=never"));
            case "java" -> command.add(Path.of(javaHome, "bin", "java").toString());
            default -> throw new AssertionError("the transcript runs mvn and java only, not " + tool);
        }
        command.addAll(line.subList(1, line.size()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", javaHome);
        // Maven's own noise on new JDKs (its libraries' sun.misc.Unsafe calls), and no colour resets.
        pb.environment().put("MAVEN_OPTS", (feature >= 24 ? "--sun-misc-unsafe-memory-access=allow " : "")
                + "-Djansi.noreset=true");
        Path outFile = Files.createTempFile(dir.getParent(), "out", ".txt");
        Path errFile = Files.createTempFile(dir.getParent(), "err", ".txt");
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("'" + String.join(" ", line) + "' did not end within 10 minutes");
        }
        return new Result(p.exitValue(), Files.readString(outFile, StandardCharsets.UTF_8), Files.readString(errFile, StandardCharsets.UTF_8));
    }

    /**
     * Issue 23: the README says which JDK the project needs and what Maven on an older one says. Checked
     * with a JDK older than 21 where the machine has one (Debian's default java is 17), else skipped, naming why.
     */
    @Test
    void onAJdkOlderThan21TheBuildFailsWithWhatTheReadmeSays() throws Exception {
        String readme = Files.readString(property("weft.readme"));
        String message = "release version 21 not supported";
        assertTrue(readme.contains("`" + message + "`"), "README.md quotes Maven's message");
        assertTrue(readme.contains("JDK 21 or newer"), "README.md says which JDK");
        Path oldJdk = olderJdk();
        org.junit.jupiter.api.Assumptions.assumeTrue(oldJdk != null,
                "SKIPPED: no JDK older than 21 under /usr/lib/jvm, /usr/java or /opt to check the README's message with");
        Matcher m = MARKED.matcher(readme);
        Path dir = property("weft.it.dir").resolveSibling("outside-project-old-jdk");
        deleteRecursively(dir);
        while (m.find()) {
            if (m.group(1).equals("pom.xml")) {
                Files.writeString(dir.resolve("pom.xml"), m.group(3) + "\n");
            }
        }
        Path source = Files.createDirectories(dir.resolve("src/main/java/demo")).resolve("Empty.java");
        Files.writeString(source, "package demo;\n\nclass Empty {\n}\n");
        Path settings = writeSettings(dir.resolveSibling("outside-settings-old-jdk.xml"));
        Result r = execute(dir, settings, List.of("mvn", "-q", "package"), oldJdk.toString(), 20 /* below 24: no Unsafe flag for Maven */);
        assertTrue(r.status() != 0 && (r.out() + r.err()).contains(message), "on " + oldJdk + ": " + r);
    }

    /** An installed JDK (with javac) older than 21, or null. */
    private static Path olderJdk() throws IOException {
        for (String root : List.of("/usr/lib/jvm", "/usr/java", "/opt")) {
            Path r = Path.of(root);
            if (!Files.isDirectory(r)) {
                continue;
            }
            try (Stream<Path> homes = Files.list(r)) {
                for (Path home : homes.sorted().toList()) {
                    Path release = home.resolve("release");
                    if (!Files.isExecutable(home.resolve("bin/javac")) || !Files.isRegularFile(release)) {
                        continue;
                    }
                    Matcher v = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(release));
                    if (v.find() && Integer.parseInt(v.group(1)) < 21 && Integer.parseInt(v.group(1)) >= 11) {
                        return home;
                    }
                }
            }
        }
        return null;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }
}
