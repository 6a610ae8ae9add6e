package dev.weft.hub.unix;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Whether the Netty on the class path is one the native backends can run on: Netty 4.2 in every
 * artifact they use. Libraries that bring Netty 4.1 (Lettuce 6, Reactor Netty and so R2DBC drivers,
 * the AWS SDK's Netty client, gRPC) make Maven pick 4.1 for some artifacts and 4.2 for others, and the
 * backend then dies with a {@link NoClassDefFoundError} ({@code io/netty/util/concurrent/ThreadAwareExecutor},
 * {@code io/netty/channel/IoHandler}) on the first hub. This finds the clash before anything links,
 * from the version files every Netty jar carries ({@code META-INF/io.netty.versions.properties}), and
 * by loading the classes the backend needs; it never throws.
 *
 * <p>Thread rule: any thread. Reads the class path once per call.
 */
public final class NettyClasspath {
    /** The Netty major.minor every native backend needs. */
    public static final String REQUIRED = "4.2.";
    /** The version Weft is built and tested with, for messages. */
    public static final String TESTED = "4.2.18.Final";

    private NettyClasspath() {
    }

    /**
     * Null when every artifact of {@code artifacts} found on the class path is Netty 4.2 and every class
     * of {@code classes} loads; otherwise one sentence that names the artifacts and versions found, the
     * class that does not link, and the fix.
     *
     * @param backend   the backend's name, for the message
     * @param artifacts Netty artifact ids the backend uses ({@code netty-common}, {@code netty-transport}...)
     * @param classes   Netty classes it needs (4.2-only ones show a 4.1 artifact that slipped through)
     */
    public static String clash(String backend, List<String> artifacts, List<String> classes) {
        Map<String, String> found = versions(NettyClasspath.class.getClassLoader());
        List<String> wrong = new ArrayList<>();
        for (String a : artifacts) {
            String v = found.get(a);
            if (v != null && !v.startsWith(REQUIRED)) {
                wrong.add(a + " " + v);
            }
        }
        String missing = null;
        for (String c : classes) {
            try {
                Class.forName(c, false, NettyClasspath.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                missing = c;
                break;
            }
        }
        if (wrong.isEmpty() && missing == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder("Netty on the class path is not 4.2 throughout");
        if (!wrong.isEmpty()) {
            sb.append(": ").append(String.join(", ", wrong));
        }
        if (missing != null) {
            sb.append(wrong.isEmpty() ? ": " : "; ").append(missing).append(" does not load");
        }
        sb.append(" (Netty found: ").append(found.isEmpty() ? "no version files" : summary(found)).append("). The ")
                .append(backend).append(" backend needs Netty ").append(REQUIRED).append("x in every artifact; a library")
                .append(" brought Netty 4.1 (Lettuce 6, Reactor Netty/R2DBC, the AWS SDK's Netty client and gRPC do).")
                .append(" Import io.netty:netty-bom:").append(TESTED).append(" in <dependencyManagement> (dev.weft:weft-bom")
                .append(" imports it; import weft-bom before the other BOMs), or run with -Dweft.hub=nio");
        return sb.toString();
    }

    /**
     * The exception for a backend whose poller did not link against the Netty on the class path (a clash
     * {@link #clash} did not foresee): names the versions found and the fix.
     */
    public static dev.weft.hub.BackendUnavailableException linkFailure(String backend, LinkageError e) {
        return new dev.weft.hub.BackendUnavailableException("The " + backend + " backend does not link against the Netty"
                + " on the class path (" + found() + "): " + e + ". It needs Netty " + TESTED + " throughout: import"
                + " io.netty:netty-bom:" + TESTED + " (dev.weft:weft-bom does), or run with -Dweft.hub=nio", e);
    }

    /** The Netty versions on the class path and their artifacts, for messages ("no version files" if none). */
    public static String found() {
        Map<String, String> found = versions(NettyClasspath.class.getClassLoader());
        return found.isEmpty() ? "no version files" : summary(found);
    }

    /** The Linux native classifier this machine needs ({@code linux-x86_64}, {@code linux-aarch_64}), for messages. */
    public static String linuxClassifier() {
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch_64";
            default -> "linux-" + arch + " (Netty ships none for os.arch=" + arch + ")";
        };
    }

    /** Netty artifact id → version, from every {@code META-INF/io.netty.versions.properties} the loader sees. */
    static Map<String, String> versions(ClassLoader loader) {
        Map<String, String> versions = new TreeMap<>();
        try {
            Enumeration<URL> files = loader.getResources("META-INF/io.netty.versions.properties");
            while (files.hasMoreElements()) {
                Properties p = new Properties();
                try (InputStream in = files.nextElement().openStream()) {
                    p.load(in);
                }
                for (String key : p.stringPropertyNames()) {
                    if (key.endsWith(".version")) {
                        versions.putIfAbsent(key.substring(0, key.length() - ".version".length()), p.getProperty(key));
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // the class check still runs
        }
        return versions;
    }

    /** "4.2.18.Final (netty-common, ...), 4.1.137.Final (...)": the versions found, each with its artifacts. */
    private static String summary(Map<String, String> found) {
        Map<String, List<String>> byVersion = new TreeMap<>();
        found.forEach((a, v) -> byVersion.computeIfAbsent(v, k -> new ArrayList<>()).add(a));
        List<String> parts = new ArrayList<>();
        byVersion.forEach((v, as) -> parts.add(v + " (" + String.join(", ", as) + ")"));
        return String.join("; ", parts);
    }
}
