package dev.weft.sockets;

import java.util.Locale;

/**
 * How a server on a {@link dev.weft.fibers.HubGroup} spreads connections over the hubs ({@link
 * StreamServer.Builder#acceptMode}).
 */
public enum AcceptMode {
    /**
     * One listening socket per hub on one port with {@code SO_REUSEPORT}; the kernel picks the hub of
     * each connection (Linux: a hash of the connection's addresses and ports). The default on Linux.
     */
    REUSE_PORT,
    /**
     * One listening socket, on hub 0, whose accept fiber hands each accepted connection to a hub of
     * the group: the least-loaded one (connections handed to it and not yet ended), ties broken round
     * robin. The receiving hub registers the socket with its own backend and runs the handler there;
     * the descriptor moves, fibers do not. The default where the kernel does not balance (macOS and
     * the BSDs, Windows); not on the simulation backend.
     */
    HANDOFF;

    /** The system property that overrides the default: {@code reuse_port} or {@code handoff}. */
    public static final String PROPERTY = "weft.acceptMode";

    /**
     * {@code -Dweft.acceptMode} if set, else {@link #REUSE_PORT} on Linux and {@link #HANDOFF} elsewhere.
     *
     * @throws IllegalArgumentException if the property names no mode
     */
    public static AcceptMode defaultMode() {
        String set = System.getProperty(PROPERTY);
        if (set != null && !set.isBlank()) {
            try {
                return valueOf(set.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + set + " names no accept mode; use reuse_port"
                        + " or handoff", e);
            }
        }
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") ? REUSE_PORT : HANDOFF;
    }
}
