package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: what {@code ./weft install} ships for each module the BOM lists — its jar, a sources
 * jar with the source of every class in the jar, and a javadoc jar with a page for every public type
 * outside the {@code internal} packages. The parent pom attaches them; this build's invoker:install
 * copied them (as {@code mvn install} would) into the private repository the outside-project test
 * uses, where this test reads them.
 */
class PublishedJarsTest {
    /** A dependency of the BOM: its group and artifact (the BOM also imports other BOMs, e.g. Netty's). */
    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>");
    /** A public top-level type: its declaration starts the line. */
    private static final String PUBLIC_TYPE = "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*"
            + "(?:class|interface|record|enum|@interface)\\s+%s\\b";

    private static Path property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isBlank(), "system property " + name + " is set by it/pom.xml");
        return Path.of(value);
    }

    /** The BOM's own modules (group dev.weft): what a project of yours can depend on. */
    private static List<String> publishedModules() throws IOException {
        List<String> modules = new ArrayList<>();
        Matcher m = DEPENDENCY.matcher(Files.readString(property("weft.bom")));
        while (m.find()) {
            if (m.group(1).equals("dev.weft") && !m.group(2).equals("weft-bom")) {
                modules.add(m.group(2));
            }
        }
        assertFalse(modules.isEmpty(), "the BOM lists modules");
        return modules;
    }

    /** Entry name → text (text only for .java files; others map to ""). */
    private static Map<String, String> entries(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " exists");
        Map<String, String> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                out.put(e.getName(), e.getName().endsWith(".java")
                        ? new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8) : "");
            }
        }
        return out;
    }

    @Test
    void everyPublishedModuleHasItsSourcesAndJavadocBesideItsJar() throws IOException {
        Path repo = property("weft.it.repo");
        String version = System.getProperty("weft.version");
        List<String> problems = new ArrayList<>();
        for (String module : publishedModules()) {
            Path dir = repo.resolve("dev/weft").resolve(module).resolve(version);
            String base = module + "-" + version;
            Map<String, String> classes = entries(dir.resolve(base + ".jar"));
            Map<String, String> sources = entries(dir.resolve(base + "-sources.jar"));
            Map<String, String> javadoc = entries(dir.resolve(base + "-javadoc.jar"));
            assertTrue(javadoc.containsKey("index.html"), module + "'s javadoc has its index page");
            TreeSet<String> topLevel = new TreeSet<>();
            for (String name : classes.keySet()) {
                if (name.endsWith(".class") && !name.contains("$") && !name.endsWith("module-info.class")
                        && !name.endsWith("package-info.class")) {
                    topLevel.add(name.substring(0, name.length() - ".class".length()));
                }
            }
            assertFalse(topLevel.isEmpty(), module + "'s jar has classes");
            for (String type : topLevel) {
                String source = sources.get(type + ".java");
                if (source == null) {
                    problems.add(module + ": no " + type + ".java in the sources jar");
                    continue;
                }
                String simple = type.substring(type.lastIndexOf('/') + 1);
                boolean exported = !type.contains("/internal/");
                if (exported && Pattern.compile(PUBLIC_TYPE.formatted(Pattern.quote(simple))).matcher(source).find()
                        && !javadoc.containsKey(type + ".html")) {
                    problems.add(module + ": no javadoc page for the public " + type.replace('/', '.'));
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
