package dev.weft.socketio;

import dev.weft.testkit.Npm;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The official clients the tests run, found or installed by the tests: {@code socket.io-client} 4.8
 * from npm (into {@code target/npm-socketio}; Node and npm from Debian when missing, as root). What
 * cannot be had skips the test, naming it.
 */
final class Clients {
    private Clients() {
    }

    /** The {@code node_modules} directory with {@code socket.io-client@4.8}. */
    static Path nodeSocketIo() throws Exception {
        return Npm.install("npm-socketio", "socket.io-client@4.8", "socket.io-client", "4.8.");
    }

    /** {@code /usr/bin/python3} with Debian's {@code python3-socketio}, {@code python3-requests} and {@code python3-websocket} (installed by the test as root). */
    static Path pythonSocketIo() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        // python3-socketio needs requests for polling and websocket-client for WebSocket (recommended, not required)
        if (!importsSocketIo(python)) {
            Tools.installAsRoot("python3-socketio");
            Tools.installAsRoot("python3-requests");
            Tools.installAsRoot("python3-websocket");
        }
        Assumptions.assumeTrue(importsSocketIo(python),
                "SKIPPED: /usr/bin/python3 cannot import socketio, requests and websocket; install the Debian packages"
                        + " 'python3-socketio python3-requests python3-websocket'; as root the tests install them themselves");
        return python;
    }

    private static boolean importsSocketIo(Path python) throws Exception {
        return Files.isExecutable(python) && Processes.run(List.of(python.toString(), "-c", "import socketio, requests, websocket"), 60).exit() == 0;
    }

    /** Runs {@code python3 script args...}; at most 90 s. */
    static Processes.Result python(String script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(pythonSocketIo().toString(), script(script).toString()));
        cmd.addAll(List.of(args));
        return Processes.await(new ProcessBuilder(cmd).start(), String.join(" ", cmd), null, Duration.ofSeconds(90));
    }

    /** The script {@code name} from the test resources, as a file. */
    static Path script(String name) throws Exception {
        return Path.of(Clients.class.getResource("/clients/" + name).toURI());
    }

    /** Runs {@code node script args...} with the npm modules on NODE_PATH; at most 90 s. */
    static Processes.Result node(String script, String... args) throws Exception {
        Path modules = nodeSocketIo();
        List<String> cmd = new java.util.ArrayList<>(List.of("node", script(script).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("NODE_PATH", modules.toString());
        return Processes.await(pb.start(), String.join(" ", cmd), null, Duration.ofSeconds(90));
    }
}
