package dev.weft.jmh.fanout;

import dev.weft.jmh.CommandLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node side of {@code bench fanout}: {@code socket.io} and {@code socket.io-client} 4.8 from npm,
 * installed on first use into {@code dir} (a directory of {@code jmh/target}), and the two scripts of
 * this package ({@code fanout-server.js}, {@code fanout-client.js}) written beside them. Driver thread.
 */
public final class FanoutNode {
    static final String SERVER = "fanout-server.js";
    static final String CLIENT = "fanout-client.js";
    private static final List<String> PACKAGES = List.of("socket.io", "socket.io-client");
    private static final String VERSION = "4.8.";

    private final Path dir;

    private FanoutNode(Path dir) {
        this.dir = dir;
    }

    /**
     * Installs the packages into {@code dir} unless their 4.8 versions are there, and writes the scripts.
     *
     * @throws IllegalStateException if {@code node} or {@code npm} is missing (with the Debian packages
     *     to install) or {@code npm install} fails (with its output)
     */
    public static FanoutNode install(Path dir) throws IOException, InterruptedException {
        for (String tool : List.of("node", "npm")) {
            if (!CommandLine.onPath(tool)) {
                throw new IllegalStateException(tool + " is not on the PATH: apt-get install -y nodejs npm");
            }
        }
        Files.createDirectories(dir);
        List<String> missing = new ArrayList<>();
        for (String name : PACKAGES) {
            Path pkg = dir.resolve("node_modules/" + name + "/package.json");
            if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"" + VERSION)) {
                missing.add(name + "@4.8");
            }
        }
        if (!missing.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--silent"));
            cmd.addAll(missing);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", cmd) + "' in " + dir + " failed: " + out);
            }
        }
        for (String script : List.of(SERVER, CLIENT)) {
            try (InputStream in = FanoutNode.class.getResourceAsStream(script)) {
                if (in == null) {
                    throw new IllegalStateException(script + " is missing from the class path (dev/weft/jmh/fanout)");
                }
                Files.write(dir.resolve(script), in.readAllBytes());
            }
        }
        return new FanoutNode(dir);
    }

    /** {@code node script args...} with the installed modules on {@code NODE_PATH}, pinned to {@code cpu} when it is not null. */
    ProcessBuilder node(String script, String cpu, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (cpu != null) {
            cmd.addAll(List.of("taskset", "-c", cpu));
        }
        cmd.addAll(List.of("node", dir.resolve(script).toAbsolutePath().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("NODE_PATH", modules().toString());
        return pb;
    }

    /** The {@code node_modules} directory (for {@code NODE_PATH}). */
    Path modules() {
        return dir.resolve("node_modules").toAbsolutePath();
    }

    /** The installed version of {@code name} (e.g. "4.8.3"), for the report. */
    String version(String name) throws IOException {
        String json = Files.readString(dir.resolve("node_modules/" + name + "/package.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\": \"([^\"]+)\"").matcher(json);
        return m.find() ? m.group(1) : "?";
    }
}
