package dev.weft.jmh.connections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The live objects of another JVM by class, from {@code jcmd <pid> GC.class_histogram} (which runs
 * a full GC first), and the difference of two of them.
 */
record ClassHistogram(Map<String, long[]> byClass) {
    /** One class's growth between two histograms: instances and bytes. */
    record Growth(String className, long instances, long bytes) {
    }

    /** Takes the histogram of JVM {@code pid} with this JDK's {@code jcmd}. Blocks up to 60 s. */
    static ClassHistogram of(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + text.strip());
        }
        Map<String, long[]> byClass = new HashMap<>();
        for (String line : text.split("\n")) {
            // "   1:        123456       7890123  [B (java.base@25)"
            String[] w = line.trim().split("\\s+");
            if (w.length >= 4 && w[0].endsWith(":") && w[0].length() > 1 && Character.isDigit(w[0].charAt(0))) {
                byClass.put(w[3], new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])});
            }
        }
        if (byClass.isEmpty()) {
            throw new IOException("jcmd " + pid + " GC.class_histogram printed no classes: " + text.strip());
        }
        return new ClassHistogram(byClass);
    }

    /** The classes that grew from {@code before} to this one, most bytes first. */
    List<Growth> growthSince(ClassHistogram before) {
        List<Growth> grown = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byClass.entrySet()) {
            long[] was = before.byClass.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - was[1];
            if (bytes > 0) {
                grown.add(new Growth(e.getKey(), e.getValue()[0] - was[0], bytes));
            }
        }
        grown.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return grown;
    }

    /** Total bytes of live objects. */
    long totalBytes() {
        return byClass.values().stream().mapToLong(v -> v[1]).sum();
    }
}
