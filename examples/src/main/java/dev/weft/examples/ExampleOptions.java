package dev.weft.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line every example takes: {@code --help}, {@code --backend nio|epoll|kqueue} (default:
 * {@code -Dweft.hub}, else the best available), {@code --port N} (servers), plus the flags, the
 * options with a value and the positional arguments an example declares. A port may also be given
 * as the only positional argument ({@code ./weft example echo 7000}), as before.
 *
 * @param backend    the backend asked for, or null for the default choice
 * @param port       the port to listen on (0 = any free one)
 * @param flags      the example's own flags that were given (such as {@code --threads})
 * @param values     the example's own options with a value that were given (such as {@code --hubs 4})
 * @param positional the other arguments (such as fetch's URLs)
 */
record ExampleOptions(String backend, int port, Set<String> flags, Map<String, String> values, List<String> positional) {

    /** What an option with a value takes: {@link #COUNT} is checked to be a whole number of at least 1. */
    static final String COUNT = "N";

    /** What a command line is wrong about; {@link Examples#options} prints it with the usage line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown for {@code --help}: not an error, the usage goes to standard output. */
    static final class HelpRequested extends Exception {
        HelpRequested() {
            super(null, null, false, false);
        }
    }

    /** {@link #parse(String[], int, Set, Map, boolean)} for an example without options that take a value. */
    static ExampleOptions parse(String[] args, int defaultPort, Set<String> flags, boolean takesPositional)
            throws UsageException, HelpRequested {
        return parse(args, defaultPort, flags, Map.of(), takesPositional);
    }

    /**
     * Parses {@code args}.
     *
     * @param defaultPort     the port when none is given, or -1 if the example takes no port
     * @param flags           the example's own flags (each starts with {@code --})
     * @param valued          the example's own options that take a value, each with what it takes:
     *                        {@link #COUNT} (a whole number of at least 1) or any other word (any text)
     * @param takesPositional whether other arguments are allowed (a server's single number is its port)
     * @throws UsageException naming the first thing that is wrong
     * @throws HelpRequested  if {@code --help} or {@code -h} is among them
     */
    static ExampleOptions parse(String[] args, int defaultPort, Set<String> flags, Map<String, String> valued,
            boolean takesPositional) throws UsageException, HelpRequested {
        String backend = null;
        Integer port = null;
        Set<String> given = new LinkedHashSet<>();
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--help", "-h" -> throw new HelpRequested();
                case "--backend" -> {
                    value = value != null ? value : valueOf(args, ++i, "--backend");
                    if (!List.of("nio", "epoll", "kqueue").contains(value)) {
                        throw new UsageException("--backend takes nio, epoll or kqueue, not '" + value + "'");
                    }
                    backend = value;
                }
                case "--port" -> {
                    if (defaultPort < 0) {
                        throw new UsageException("this example takes no --port");
                    }
                    port = port(value != null ? value : valueOf(args, ++i, "--port"));
                }
                default -> {
                    if (flags.contains(a) && value == null) {
                        given.add(a);
                    } else if (valued.containsKey(a)) {
                        String v = value != null ? value : valueOf(args, ++i, a);
                        if (valued.get(a).equals(COUNT)) {
                            count(a, v);
                        }
                        values.put(a, v);
                    } else if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + args[i] + "'");
                    } else if (takesPositional) {
                        positional.add(a);
                    } else if (defaultPort >= 0 && port == null) {
                        port = port(a);
                    } else {
                        throw new UsageException("unexpected argument '" + a + "'");
                    }
                }
            }
        }
        return new ExampleOptions(backend, port != null ? port : Math.max(defaultPort, 0), Set.copyOf(given),
                Map.copyOf(values), List.copyOf(positional));
    }

    /** The value given for {@code option}, or {@code otherwise}. */
    String value(String option, String otherwise) {
        return values.getOrDefault(option, otherwise);
    }

    /** The whole number given for {@code option} (checked by {@link #parse}), or {@code otherwise}. */
    int count(String option, int otherwise) {
        String v = values.get(option);
        return v == null ? otherwise : Integer.parseInt(v);
    }

    private static void count(String option, String text) throws UsageException {
        try {
            if (Integer.parseInt(text) >= 1) {
                return;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new UsageException(option + " takes a whole number of at least 1, not '" + text + "'");
    }

    private static String valueOf(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String text) throws UsageException {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new UsageException("a port is a number from 0 to 65535 (0 = any free port), not '" + text + "'");
    }
}
