package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * npm packages the tests run with Node, installed by the tests themselves into a directory of
 * {@code target} (Node and npm from Debian's {@code nodejs}/{@code npm} when missing, as root). What
 * cannot be installed skips the test, naming the package.
 */
public final class Npm {
    private Npm() {
    }

    /**
     * {@code node_modules} under {@code target/DIR} with {@code spec} installed (e.g. {@code
     * socket.io-client@4.8}), unless package {@code name}'s version there already starts with {@code
     * versionPrefix}. Blocks the calling thread (up to 5 minutes for npm).
     */
    public static synchronized Path install(String dir, String spec, String name, String versionPrefix) throws Exception {
        Tools.require("nodejs", "node");
        Tools.require("npm", "npm");
        Path root = Path.of("target", dir).toAbsolutePath();
        Path pkg = root.resolve("node_modules/" + name + "/package.json");
        if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"" + versionPrefix)) {
            Files.createDirectories(root);
            String said;
            try {
                said = Processes.run(root, List.of("npm", "install", "--no-audit", "--no-fund", "--silent", spec), null,
                        Duration.ofSeconds(300)).toString();
            } catch (IOException e) {
                said = e.getMessage();
            }
            Assumptions.assumeTrue(Files.exists(pkg), "SKIPPED: 'npm install " + spec + "' failed (no npm registry?): " + said);
        }
        return root.resolve("node_modules");
    }
}
