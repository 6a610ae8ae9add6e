package dev.weft.jmh.connections;

import java.util.List;
import java.util.Locale;

/** One run of {@link ConnectionsBench} on one backend: what it measured, as a table and as JSON. */
final class ConnectionsResult {
    /** Classes shown per connection in the table (the JSON has a few more). */
    static final int TOP = 8;

    int requested;
    int count;
    String backend = "?";
    int clients;
    int warmupRounds;
    long hardLimit;
    long serverFdLimit;
    /** Why fewer than requested ran, or null. */
    String limitedBy;
    long serverPid;
    long clientsConnectedNanos;
    long openNanos;
    long echoNanos;
    long echoed;
    long closeNanos;
    /** Connections whose planned source port was taken (bound to a kernel-chosen port instead). */
    long portFallbacks;
    long heapBaseline;
    long heapOpen;
    /** After opening, before the echo round: every handler parked once, in its first read. */
    long heapBeforeEcho;
    long rssBaseline;
    long rssOpen;
    long fdsBaseline;
    long fdsOpen;
    long fdsAfterClose;
    boolean closedAll;
    List<ClassHistogram.Growth> histogram = List.of();
    /** The same, after opening and before the echo round. */
    List<ClassHistogram.Growth> histogramBeforeEcho = List.of();
    /** What failed, or null. */
    String failure;

    boolean ok() {
        return failure == null && closedAll;
    }

    double heapPerConnection() {
        return (double) (heapOpen - heapBaseline) / count;
    }

    double rssPerConnection() {
        return (double) (rssOpen - rssBaseline) / count;
    }

    double connectsPerSecond() {
        return count / (openNanos / 1e9);
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "connections on one hub, backend %s: %s%n", backend,
                ok() ? "OK" : "FAILED: " + failure));
        if (limitedBy != null) {
            sb.append("  !!! ").append(limitedBy).append(" !!!\n");
        }
        sb.append(String.format(Locale.ROOT, "  %-40s %,d (requested %,d; %d client JVM(s))%n", "connections", count, requested, clients));
        if (openNanos > 0) {
            sb.append(String.format(Locale.ROOT, "  %-40s %.2f s (clients connected after %.2f s)%n", "time to open all (server holds all)",
                    openNanos / 1e9, clientsConnectedNanos / 1e9));
            sb.append(String.format(Locale.ROOT, "  %-40s %,.0f /s%s%n", "connects", connectsPerSecond(),
                    portFallbacks == 0 ? "" : " (" + portFallbacks + " source ports were taken: kernel-chosen instead)"));
        }
        if (echoNanos > 0) {
            sb.append(String.format(Locale.ROOT, "  %-40s %.3f s (%,d verified)%n", "one echo round trip on every one", echoNanos / 1e9, echoed));
        }
        if (heapOpen > 0) {
            sb.append(String.format(Locale.ROOT, "  %-40s %,.0f bytes (heap after full GCs: %,.1f -> %,.1f MB)%n",
                    "heap per connection", heapPerConnection(), heapBaseline / 1e6, heapOpen / 1e6));
            sb.append(String.format(Locale.ROOT, "  %-40s %,.0f bytes%s%n", "  (before the echo: parked once)",
                    (double) (heapBeforeEcho - heapBaseline) / count, stackChunks(histogramBeforeEcho)));
            sb.append(String.format(Locale.ROOT, "  %-40s %,.0f bytes (RSS %,.1f -> %,.1f MB)%n", "server RSS growth per connection",
                    rssPerConnection(), rssBaseline / 1e6, rssOpen / 1e6));
            sb.append(String.format(Locale.ROOT, "  %-40s %,d -> %,d -> %,d (limit %,d)%n", "server fds: before, open, after close",
                    fdsBaseline, fdsOpen, fdsAfterClose, serverFdLimit));
        }
        if (closeNanos > 0) {
            sb.append(String.format(Locale.ROOT, "  %-40s %.2f s: count back to 0%n", "close all", closeNanos / 1e9));
        }
        if (!histogram.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "  live objects grown, per connection (jcmd GC.class_histogram):%n"));
            sb.append(String.format(Locale.ROOT, "    %10s %10s  %s%n", "bytes", "instances", "class"));
            long shown = 0;
            long all = histogram.stream().mapToLong(ClassHistogram.Growth::bytes).sum();
            for (ClassHistogram.Growth g : histogram.subList(0, Math.min(TOP, histogram.size()))) {
                sb.append(String.format(Locale.ROOT, "    %10.1f %10.2f  %s%n", (double) g.bytes() / count,
                        (double) g.instances() / count, g.className()));
                shown += g.bytes();
            }
            sb.append(String.format(Locale.ROOT, "    %10.1f %10s  (the other %d classes that grew)%n", (double) (all - shown) / count, "",
                    Math.max(0, histogram.size() - TOP)));
            sb.append(String.format(Locale.ROOT, "    %10.1f %10s  all growth%n", (double) all / count, ""));
            long fillers = histogram.stream().filter(g -> g.className().contains("jdk.internal.vm.FillerElement"))
                    .mapToLong(ClassHistogram.Growth::bytes).sum();
            if (fillers > 0) {
                // G1's full GC leaves dense regions uncompacted and overwrites their dead objects with
                // fillers: heap in use, but no object of the connection's
                sb.append(String.format(Locale.ROOT, "    %10.1f %10s  all growth but G1 filler objects (dead space a full GC left"
                        + " in place)%n", (double) (all - fillers) / count, ""));
            }
        }
        return sb.toString();
    }

    /** ", of which StackChunk 1,234 bytes (1.05 per connection)", or nothing. */
    private String stackChunks(List<ClassHistogram.Growth> grown) {
        for (ClassHistogram.Growth g : grown) {
            if (g.className().equals("jdk.internal.vm.StackChunk")) {
                return String.format(Locale.ROOT, " (StackChunk %,.0f bytes, %.2f per connection)", (double) g.bytes() / count,
                        (double) g.instances() / count);
            }
        }
        return "";
    }

    String json() {
        String h = jsonHistogram(histogram);
        String hBefore = jsonHistogram(histogramBeforeEcho);
        return String.format(Locale.ROOT, """
                  {"backend": "%s", "ok": %b, "failure": %s,
                    "requestedConnections": %d, "connections": %d, "limitedBy": %s,
                    "hardDescriptorLimit": %d, "serverDescriptorLimit": %d, "clientJvms": %d,
                    "openSeconds": %.3f, "clientsConnectedSeconds": %.3f, "connectsPerSecond": %.1f,
                    "sourcePortFallbacks": %d, "echoSeconds": %.3f, "echoedConnections": %d, "closeSeconds": %.3f, "closedAll": %b,
                    "heapBaselineBytes": %d, "heapOpenBytes": %d, "heapBytesPerConnection": %.1f,
                    "heapBytesPerConnectionBeforeEcho": %.1f, "warmupRounds": %d,
                    "rssBaselineBytes": %d, "rssOpenBytes": %d, "rssBytesPerConnection": %.1f,
                    "serverFdsBaseline": %d, "serverFdsOpen": %d, "serverFdsAfterClose": %d,
                    "histogramPerConnection": %s,
                    "histogramPerConnectionBeforeEcho": %s}""",
                escape(backend), ok(), failure == null ? "null" : "\"" + escape(failure) + "\"",
                requested, count, limitedBy == null ? "null" : "\"" + escape(limitedBy) + "\"",
                hardLimit, serverFdLimit, clients,
                openNanos / 1e9, clientsConnectedNanos / 1e9, openNanos > 0 ? connectsPerSecond() : 0.0,
                portFallbacks, echoNanos / 1e9, echoed, closeNanos / 1e9, closedAll,
                heapBaseline, heapOpen, heapOpen > 0 ? heapPerConnection() : 0.0,
                heapBeforeEcho > 0 ? (double) (heapBeforeEcho - heapBaseline) / count : 0.0, warmupRounds,
                rssBaseline, rssOpen, rssOpen > 0 ? rssPerConnection() : 0.0,
                fdsBaseline, fdsOpen, fdsAfterClose, h, hBefore);
    }

    private String jsonHistogram(List<ClassHistogram.Growth> grown) {
        StringBuilder h = new StringBuilder("[");
        List<ClassHistogram.Growth> top = grown.subList(0, Math.min(2 * TOP, grown.size()));
        for (int i = 0; i < top.size(); i++) {
            ClassHistogram.Growth g = top.get(i);
            h.append(String.format(Locale.ROOT, "%n      {\"class\": \"%s\", \"bytesPerConnection\": %.1f, \"instancesPerConnection\": %.3f}%s",
                    escape(g.className()), (double) g.bytes() / count, (double) g.instances() / count, i + 1 < top.size() ? "," : ""));
        }
        h.append(top.isEmpty() ? "]" : "\n    ]");
        return h.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
