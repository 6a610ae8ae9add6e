package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The README's WebSocket section compiles and runs: every block marked {@code <!-- websocket-example:
 * PATH -->} is compiled with this module's test class path, its {@code main} is run, and what it prints
 * must be the block marked {@code <!-- websocket-example: output -->}.
 */
class ReadmeTest {
    private static final Pattern MARKED = Pattern.compile(
            "<!-- websocket-example: ([^ ]+) -->\\s*\\n(`{3,})[a-z]*\\n(.*?)\\n\\2", Pattern.DOTALL);

    @Test
    void theReadmesWebSocketExampleCompilesRunsAndPrintsWhatItSays() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("weft.readme")));
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = MARKED.matcher(readme);
        while (m.find()) {
            blocks.put(m.group(1), m.group(3) + "\n");
        }
        String expected = blocks.remove("output");
        assertTrue(expected != null, "the README marks the output");
        assertFalse(blocks.isEmpty(), "the README marks its WebSocket example");
        Path dir = Files.createTempDirectory("weft-readme-websocket");
        for (Map.Entry<String, String> b : blocks.entrySet()) {
            Path source = dir.resolve("src").resolve(b.getKey());
            Files.createDirectories(source.getParent());
            Files.writeString(source, b.getValue());
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int status = javac.run(null, errors, errors, "-d", dir.resolve("classes").toString(), "-cp",
                    System.getProperty("java.class.path"), source.toString());
            assertEquals(0, status, b.getKey() + " does not compile: " + errors.toString(StandardCharsets.UTF_8));
        }
        String main = blocks.keySet().iterator().next().replace('/', '.').replace(".java", "");
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(main).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        assertEquals(expected, printed.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("demo/WsEcho.java"), List.copyOf(blocks.keySet()));
    }
}
