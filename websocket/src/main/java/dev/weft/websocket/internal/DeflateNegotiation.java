package dev.weft.websocket.internal;

import dev.weft.websocket.PerMessageDeflate;
import java.util.List;
import java.util.Map;

/**
 * permessage-deflate negotiation (RFC 7692 section 7.1): what a client offers, which offer a server
 * accepts and what it answers, and whether a server's answer is one the client can live with.
 */
public final class DeflateNegotiation {
    static final String NAME = "permessage-deflate";

    private DeflateNegotiation() {
    }

    /**
     * The client's offer: {@code permessage-deflate} and the no-context-takeover requests that are set.
     * Not {@code client_max_window_bits}, which browsers send: it invites the server to limit our window
     * (Python's {@code websockets} server answers {@code client_max_window_bits=12}), and {@code
     * java.util.zip} cannot compress with less than 32 KiB.
     */
    public static String offer(PerMessageDeflate settings) {
        return NAME + (settings.serverNoContextTakeover() ? "; server_no_context_takeover" : "")
                + (settings.clientNoContextTakeover() ? "; client_no_context_takeover" : "");
    }

    /**
     * The server's choice among the client's offers: the first permessage-deflate offer it can
     * honour, or null (no compression). An offer is declined when it has an unknown or repeated
     * parameter, a bad value, or asks the server for a window under 32 KiB ({@code
     * server_max_window_bits} below 15), which {@code java.util.zip} cannot make.
     */
    public static DeflateParameters accept(PerMessageDeflate settings, List<ExtensionHeader.Extension> offers) {
        if (!settings.isEnabled()) {
            return null;
        }
        for (ExtensionHeader.Extension e : offers) {
            if (!e.name().equals(NAME) || e.repeatedParameter()) {
                continue;
            }
            boolean ok = true;
            boolean serverFresh = settings.serverNoContextTakeover();
            boolean clientFresh = settings.clientNoContextTakeover();
            boolean window = false;
            for (Map.Entry<String, String> p : e.params().entrySet()) {
                String v = p.getValue();
                switch (p.getKey()) {
                    case "server_no_context_takeover" -> {
                        ok &= v == null;
                        serverFresh = true;
                    }
                    case "client_no_context_takeover" -> {
                        ok &= v == null;
                        clientFresh = true;
                    }
                    case "server_max_window_bits" -> {
                        ok &= windowBits(v) == 15;
                        window = true;
                    }
                    case "client_max_window_bits" -> ok &= v == null || windowBits(v) > 0;
                    default -> ok = false;
                }
            }
            if (ok) {
                return new DeflateParameters(serverFresh, clientFresh, window);
            }
        }
        return null;
    }

    /**
     * What the client makes of the server's answer: the agreed parameters, null if the server did not
     * take the extension.
     *
     * @throws IllegalArgumentException if the answer is not one the client may accept (the message
     *         says why; the client then fails the connection)
     */
    public static DeflateParameters check(PerMessageDeflate settings, List<ExtensionHeader.Extension> answer) {
        if (answer.isEmpty()) {
            return null;
        }
        if (!settings.isEnabled()) {
            throw new IllegalArgumentException("the server answered with extensions " + names(answer) + ", none was offered");
        }
        if (answer.size() > 1 || !answer.get(0).name().equals(NAME)) {
            throw new IllegalArgumentException("the server answered with extensions " + names(answer)
                    + "; only one permessage-deflate was offered");
        }
        ExtensionHeader.Extension e = answer.get(0);
        if (e.repeatedParameter()) {
            throw new IllegalArgumentException("the server's permessage-deflate answer repeats a parameter: " + e.params());
        }
        boolean serverFresh = false;
        boolean clientFresh = settings.clientNoContextTakeover();
        for (Map.Entry<String, String> p : e.params().entrySet()) {
            String v = p.getValue();
            switch (p.getKey()) {
                case "server_no_context_takeover" -> serverFresh = true;
                case "client_no_context_takeover" -> clientFresh = true;
                case "server_max_window_bits" -> {
                    if (windowBits(v) < 0) {
                        throw new IllegalArgumentException("the server's server_max_window_bits=" + v + " is not 8..15");
                    }
                }
                case "client_max_window_bits" -> {
                    if (windowBits(v) != 15) {
                        throw new IllegalArgumentException("the server asks the client for client_max_window_bits=" + v
                                + "; java.util.zip compresses with a 32 KiB window (15) only");
                    }
                }
                default -> throw new IllegalArgumentException("the server's permessage-deflate answer has an unknown parameter '"
                        + p.getKey() + "'");
            }
            if ((p.getKey().endsWith("takeover")) && v != null) {
                throw new IllegalArgumentException("the server's " + p.getKey() + " has a value (" + v + "); it takes none");
            }
        }
        if (settings.serverNoContextTakeover() && !serverFresh) {
            // A server accepts that parameter only by answering with it (RFC 7692 section 7.1.1.1).
            throw new IllegalArgumentException("the server did not accept server_no_context_takeover, which was offered");
        }
        return new DeflateParameters(serverFresh, clientFresh, false);
    }

    /** 8..15, or -1 when {@code v} is not a window size. */
    private static int windowBits(String v) {
        if (v == null || v.length() > 2 || v.isEmpty() || !v.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(v);
        return n >= 8 && n <= 15 ? n : -1;
    }

    private static String names(List<ExtensionHeader.Extension> es) {
        return es.stream().map(ExtensionHeader.Extension::name).toList().toString();
    }
}
