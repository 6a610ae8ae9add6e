package dev.weft.testkit;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code openssl s_server} on a free port of 127.0.0.1, a TLS peer nobody here wrote, for interop tests;
 * closing it kills it. A missing {@code openssl} is installed as root, else the test is skipped (see
 * {@link Tools}). Any thread; {@link #start} blocks until it accepts.
 *
 * @param process the running {@code s_server}
 * @param port    the port it accepts on
 */
public record OpenSslServer(Process process, int port) implements AutoCloseable {

    /**
     * Starts {@code openssl s_server -cert pem -key pem -naccept 100} plus {@code extra} (e.g. {@code -rev},
     * {@code -www}, {@code -tls1_3}) and waits (20 s at most) until it says it accepts.
     *
     * @param pem key and certificate chain in one PEM file ({@link TestPki#pem})
     */
    public static OpenSslServer start(Path pem, String... extra) throws Exception {
        String openssl = Tools.require("openssl", "openssl").toString();
        int port = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(openssl, "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", pem.toString(), "-key", pem.toString(), "-naccept", "100"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        InputStream out = p.getInputStream();
        StringBuilder said = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!said.toString().contains("ACCEPT")) {
            int c = out.read();
            if (c < 0 || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl s_server did not start: " + said);
            }
            said.append((char) c);
        }
        Processes.drain(out);
        return new OpenSslServer(p, port);
    }

    /** Kills it and waits (10 s at most) for it to end. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
