package dev.weft.jmh.fanout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs {@code fanout-client.js} once against a server and samples the server's CPU time when the
 * client says {@code WINDOW START} and {@code WINDOW END}. Driver thread; blocks for the run.
 *
 * @param clients   receivers in the room
 * @param warmup    seconds of sending before the window
 * @param seconds   the measured window
 * @param window    closed loop: messages in flight at most
 * @param rate      open loop: messages a second (0: closed loop)
 * @param lossMillis a message not delivered to everyone after this long leaves the window (and counts as lost)
 */
record FanoutLoad(int clients, int warmup, int seconds, int window, int rate, int lossMillis) {

    /**
     * Runs the client (pinned to {@code cpu} unless null) against {@code http://127.0.0.1:port}.
     *
     * @param serverCpuNanos the server process's CPU time so far
     * @throws IllegalStateException if the client fails or says nothing that ends in a result (with its output)
     */
    FanoutResult run(FanoutNode node, String server, int port, String cpu, LongSupplier serverCpuNanos)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--url", "http://127.0.0.1:" + port, "--clients", String.valueOf(clients),
                "--warmup", String.valueOf(warmup), "--seconds", String.valueOf(seconds), "--window", String.valueOf(window),
                "--rate", String.valueOf(rate), "--loss-ms", String.valueOf(lossMillis)));
        Process p = node.node(FanoutNode.CLIENT, cpu, args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        long serverStart = 0;
        long serverEnd = 0;
        long clientStart = 0;
        long clientEnd = 0;
        StringBuilder said = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("WINDOW START")) {
                    serverStart = serverCpuNanos.getAsLong();
                    clientStart = cpuNanos(p);
                } else if (line.equals("WINDOW END")) {
                    serverEnd = serverCpuNanos.getAsLong();
                    clientEnd = cpuNanos(p);
                } else if (line.startsWith("RESULT ")) {
                    FanoutResult.Client c = FanoutResult.Client.parse(line.substring("RESULT ".length()));
                    p.waitFor(10, TimeUnit.SECONDS);
                    return new FanoutResult(server, c, serverEnd - serverStart, clientEnd - clientStart);
                } else {
                    said.append(line).append('\n');
                }
            }
        } finally {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        throw new IllegalStateException("the fan-out load client ended without a result (exit status " + p.exitValue()
                + "; its error output is above): " + said);
    }

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
