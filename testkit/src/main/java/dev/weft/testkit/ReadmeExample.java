package dev.weft.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A README example that a test compiles and runs: the code blocks marked {@code <!-- MARKER: PATH -->}
 * and the expected output marked {@code <!-- MARKER: output -->}, in the README named by the system
 * property {@code weft.readme}.
 *
 * @param sources the blocks by path, in README order
 * @param output  what the first block's {@code main} must print
 */
public record ReadmeExample(Map<String, String> sources, String output) {

    /**
     * Reads the blocks marked {@code marker}.
     *
     * @throws IllegalStateException if there is no source block or no output block
     */
    public static ReadmeExample read(String marker) throws java.io.IOException {
        Pattern marked = Pattern.compile("<!-- " + Pattern.quote(marker) + ": ([^ ]+) -->\\s*\\n(`{3,})[a-z]*\\n(.*?)\\n\\2",
                Pattern.DOTALL);
        String readme = Files.readString(Path.of(System.getProperty("weft.readme")));
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = marked.matcher(readme);
        while (m.find()) {
            blocks.put(m.group(1), m.group(3) + "\n");
        }
        String output = blocks.remove("output");
        if (output == null || blocks.isEmpty()) {
            throw new IllegalStateException("the README marks no " + marker + " example and output (" + blocks.keySet() + ")");
        }
        return new ReadmeExample(blocks, output);
    }

    /**
     * Compiles every block with this JVM's class path and runs the first one's {@code main};
     * returns what it printed on standard output. Its temp directory is deleted at the end.
     *
     * @throws AssertionError naming the block and javac's messages if one does not compile
     */
    public String compileAndRun() throws Exception {
        Path dir = Files.createTempDirectory("weft-readme");
        try {
            return compileAndRun(dir);
        } finally {
            Trees.deleteQuietly(dir); // it was left in /tmp, one per run of every README test
        }
    }

    private String compileAndRun(Path dir) throws Exception {
        for (Map.Entry<String, String> b : sources.entrySet()) {
            Path source = dir.resolve("src").resolve(b.getKey());
            Files.createDirectories(source.getParent());
            Files.writeString(source, b.getValue());
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int status = javac.run(null, errors, errors, "-d", dir.resolve("classes").toString(), "-cp",
                    System.getProperty("java.class.path"), source.toString());
            if (status != 0) {
                throw new AssertionError(b.getKey() + " does not compile: " + errors.toString(StandardCharsets.UTF_8));
            }
        }
        String main = sources.keySet().iterator().next().replace('/', '.').replace(".java", "");
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()},
                ReadmeExample.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(main).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
