package dev.weft.jmh.connections;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link ConnectionsBench}'s command line. */
record Settings(int count, List<String> backends, int clients, int seconds, int inFlight, int perAddress,
                int message, int buffer, int warmup, Path result) {

    static final String HELP = """
            ./weft bench connections [--count N (100000)] [--backend epoll|nio|all|LIST (default selection)]
                [--clients J (enough for the descriptor limit)] [--seconds LIMIT (180)]
                [--in-flight CONNECTS (1024, shared by the clients)] [--per-address N (25000)]
                [--message BYTES (32)] [--buffer BYTES (64: the handler's byte[])]
                [--warmup ROUNDS (3: open, echo on, close all before measuring)] [--result FILE]""";

    static Settings parse(String[] args) {
        int count = 100_000;
        List<String> backends = List.of("default");
        int clients = 0;
        int seconds = 180;
        int inFlight = 1024;
        int perAddress = 25_000;
        int message = 32;
        int buffer = 64;
        int warmup = 3;
        Path result = Path.of("jmh/target/connections.json");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help")) {
                System.out.println(HELP);
                System.exit(0);
            }
            String v = i + 1 < args.length ? args[++i] : null;
            if (v == null) {
                fail(option + " needs a value");
            }
            switch (option) {
                case "--count" -> count = positive(option, v);
                case "--backend" -> backends = backends(v);
                case "--clients" -> clients = positive(option, v);
                case "--seconds" -> seconds = positive(option, v);
                case "--in-flight" -> inFlight = positive(option, v);
                case "--per-address" -> perAddress = positive(option, v);
                case "--message" -> message = positive(option, v);
                case "--buffer" -> buffer = positive(option, v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--result" -> result = Path.of(v);
                default -> fail("unknown argument '" + option + "' (--help lists them)");
            }
        }
        int[] range = ConnectionsClient.ephemeralRange();
        if (perAddress > range[1] - range[0] + 1) {
            fail("--per-address " + perAddress + " would run out of ephemeral ports (" + range[0] + "-" + range[1] + ": "
                    + (range[1] - range[0] + 1) + " per source address)");
        }
        return new Settings(count, backends, clients, seconds, inFlight, perAddress, message, buffer, Math.max(0, warmup), result);
    }

    private static List<String> backends(String v) {
        if (v.equals("all")) {
            List<String> all = new ArrayList<>();
            for (dev.weft.hub.HubBackend b : dev.weft.hub.Backends.available()) {
                all.add(b.name());
            }
            return all;
        }
        return List.of(v.split(","));
    }

    private static int positive(String option, String v) {
        try {
            int n = Integer.parseInt(v.replace("_", "").replace(",", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        fail(option + " needs a positive whole number, not '" + v + "'");
        return 0;
    }

    private static void fail(String message) {
        System.err.println("connections: " + message);
        System.exit(2);
    }
}
