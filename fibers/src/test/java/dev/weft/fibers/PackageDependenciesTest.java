package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Package dependencies point down (issue 27): {@code dev.weft.fibers.internal} uses nothing of
 * {@code dev.weft.fibers} above it (before, {@code FiberContinuation} threw the public
 * {@code FiberPinnedException}: a cycle between the two packages), and {@code dev.weft.hub} (module
 * hub-api) nothing of the fibers. Read from the compiled classes by {@code jdeps}, as a reviewer
 * would check it.
 */
@org.junit.jupiter.api.Timeout(60)
class PackageDependenciesTest {

    @Test
    void internalAndHubApiDependOnNothingAboveThem() throws Exception {
        List<String> edges = classEdges(location(FiberCore.class), location(dev.weft.hub.EventLoop.class));
        assertTrue(edges.stream().anyMatch(e -> e.startsWith("dev.weft.fibers.FiberCore -> dev.weft.fibers.internal.")),
                () -> "jdeps should see the fibers' own edges; it printed: " + edges);
        List<String> upward = new ArrayList<>();
        for (String e : edges) {
            String[] ends = e.split(" -> ");
            String from = packageOf(ends[0]);
            String to = packageOf(ends[1]);
            boolean internalUp = from.equals("dev.weft.fibers.internal") && to.equals("dev.weft.fibers");
            boolean hubUp = from.startsWith("dev.weft.hub") && to.startsWith("dev.weft.fibers");
            if (internalUp || hubUp) {
                upward.add(e);
            }
        }
        assertEquals(List.of(), upward, "dependencies that point up");
    }

    /** Every class-to-class edge between Weft classes in {@code roots}, as "from -> to". */
    private static List<String> classEdges(Path... roots) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        List<String> args = new ArrayList<>(List.of("-verbose:class", "-filter:none", "-e", "dev\\.weft\\..*"));
        for (Path r : roots) {
            args.add(r.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, status, () -> "jdeps failed: " + err + out);
        List<String> edges = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 3 && words[1].equals("->") && words[0].startsWith("dev.weft.")) {
                edges.add(words[0] + " -> " + words[2]);
            }
        }
        return edges;
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }
}
