package dev.weft.websocket;

import dev.weft.testkit.Npm;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real WebSocket implementations the interop tests talk to, found or installed by the tests
 * themselves: the npm package {@code ws} 8 under Node (installed with {@code npm install ws@8} into
 * {@code target/npm-ws}; Node and npm from Debian's {@code nodejs}/{@code npm} when missing and running
 * as root), and Python's {@code websockets} from Debian's {@code python3-websockets} under {@code
 * /usr/bin/python3}. What cannot be had skips the test, naming the package.
 */
final class Peers {
    private Peers() {
    }

    /** {@code node}, with {@code ws@8} installed; the directory to put in NODE_PATH. */
    static Path nodeWs() throws Exception {
        return Npm.install("npm-ws", "ws@8", "ws", "8.");
    }

    /** {@code /usr/bin/python3} with the {@code websockets} module. */
    static Path pythonWebsockets() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!importsWebsockets(python)) {
            Tools.installAsRoot("python3-websockets");
        }
        Assumptions.assumeTrue(importsWebsockets(python),
                "SKIPPED: /usr/bin/python3 cannot import websockets; install the Debian package 'python3-websockets'"
                        + " (apt-get install python3-websockets); as root the tests install it themselves");
        return python;
    }

    private static boolean importsWebsockets(Path python) throws Exception {
        return Files.isExecutable(python) && Processes.run(List.of(python.toString(), "-c", "import websockets"), 60).exit() == 0;
    }

    /** The script {@code name} from the test resources, as a file. */
    static Path script(String name) throws Exception {
        return Path.of(Peers.class.getResource("/peers/" + name).toURI());
    }

    /** A peer server process: its "PORT n" line read, its further output collected until it ends. */
    static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Server(List<String> command, Path nodePath) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (nodePath != null) {
                pb.environment().put("NODE_PATH", nodePath.toString());
            }
            process = pb.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = in.readLine();
            List<String> early = new ArrayList<>();
            while (first != null && !first.startsWith("PORT ")) {
                early.add(first);
                first = in.readLine();
            }
            if (first == null) {
                process.destroyForcibly();
                throw new IOException(command + " did not start: " + early);
            }
            port = Integer.parseInt(first.substring(5).trim());
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
        }

        /** Waits (blocking the calling thread, at most 10 s) until a line starting with {@code prefix} was printed. */
        String awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (String l : lines) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                Thread.sleep(10);
            }
            return "(no line starting with '" + prefix + "'; got " + lines + ")";
        }

        @Override
        public void close() throws InterruptedException {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // gone already
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
