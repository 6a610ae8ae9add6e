package dev.weft.jmh.fanout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.Map;

/**
 * One server's row of {@code bench fanout}: what the load client counted ({@link Client}, its {@code
 * RESULT} line) and the server's and the load client's CPU time over the measured window.
 *
 * @param serverCpuNanos utime + stime of the server process over the window (all its threads)
 * @param clientCpuNanos the same for the Node load client (it shows when the client is what limits)
 */
record FanoutResult(String server, Client client, long serverCpuNanos, long clientCpuNanos) {

    /** The load client's {@code RESULT} line, as {@code fanout-client.js} writes it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Client(int clients, int joined, int connectErrors, String mode, long sent, long sentInWindow, double windowSeconds,
                  long deliveredInWindow, long expected, long delivered, long lost, long duplicates, long timedOut,
                  int disconnected, Map<String, Integer> disconnectReasons, double p50Micros, double p99Micros, double maxMicros) {
        private static final ObjectMapper JSON = new ObjectMapper();

        /** Parses the JSON after {@code RESULT }. */
        static Client parse(String json) {
            try {
                return JSON.readValue(json, Client.class);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the load client's RESULT line is not what fanout-client.js writes: " + json, e);
            }
        }
    }

    /** Deliveries (one message reaching one client) per second of the measured window. */
    double deliveredPerSecond() {
        return client.deliveredInWindow() / client.windowSeconds();
    }

    /** Server CPU time per delivery in microseconds; NaN when nothing was delivered. */
    double serverCpuMicrosPerDelivery() {
        return client.deliveredInWindow() == 0 ? Double.NaN : serverCpuNanos / 1e3 / client.deliveredInWindow();
    }

    /** Deliveries per second of server CPU time (the goal's measure); 0 when the server used no CPU. */
    double deliveriesPerCpuSecond() {
        return serverCpuNanos == 0 ? 0 : client.deliveredInWindow() / (serverCpuNanos / 1e9);
    }

    /** The load client's CPU use over the window, in percent of one CPU. */
    double clientCpuPercent() {
        return clientCpuNanos / 1e7 / client.windowSeconds();
    }

    /** Every client joined, got every message sent once, and none was disconnected. */
    boolean complete() {
        return client.joined() == client.clients() && client.connectErrors() == 0 && client.lost() == 0
                && client.duplicates() == 0 && client.disconnected() == 0 && client.delivered() == client.expected();
    }

    /** "all N of M" or what went wrong: lost, duplicated, disconnected (with reasons), not joined. */
    String deliveryVerdict() {
        if (complete()) {
            return String.format(Locale.ROOT, "all %,d", client.expected());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%,d of %,d", client.delivered(), client.expected()));
        if (client.lost() > 0) {
            sb.append(String.format(Locale.ROOT, ", LOST %,d", client.lost()));
        }
        if (client.duplicates() > 0) {
            sb.append(String.format(Locale.ROOT, ", DUPLICATED %,d", client.duplicates()));
        }
        if (client.disconnected() > 0) {
            sb.append(", DISCONNECTED ").append(client.disconnected()).append(' ').append(client.disconnectReasons());
        }
        if (client.joined() < client.clients()) {
            sb.append(", JOINED ONLY ").append(client.joined()).append(" of ").append(client.clients());
            if (client.connectErrors() > 0) {
                sb.append(" (").append(client.connectErrors()).append(" connect errors)");
            }
        }
        return sb.toString();
    }

    String json() {
        return String.format(Locale.ROOT, "{\"server\": \"%s\", \"clients\": %d, \"joined\": %d, \"mode\": \"%s\","
                        + " \"windowSeconds\": %.3f, \"deliveredInWindow\": %d, \"deliveredPerSecond\": %.1f,"
                        + " \"serverCpuMicrosPerDelivery\": %.4f, \"deliveriesPerServerCpuSecond\": %.1f,"
                        + " \"p50Micros\": %.1f, \"p99Micros\": %.1f, \"maxMicros\": %.1f, \"messagesSent\": %d,"
                        + " \"expectedDeliveries\": %d, \"delivered\": %d, \"lost\": %d, \"duplicates\": %d, \"timedOutMessages\": %d,"
                        + " \"disconnected\": %d, \"connectErrors\": %d, \"complete\": %b, \"loadClientCpuPercent\": %.1f}",
                server, client.clients(), client.joined(), client.mode(), client.windowSeconds(), client.deliveredInWindow(),
                deliveredPerSecond(), serverCpuMicrosPerDelivery(), deliveriesPerCpuSecond(), client.p50Micros(),
                client.p99Micros(), client.maxMicros(), client.sent(), client.expected(), client.delivered(), client.lost(),
                client.duplicates(), client.timedOut(), client.disconnected(), client.connectErrors(), complete(), clientCpuPercent());
    }
}
