package dev.weft.tls;

/**
 * Where the handshake's heavy work runs: the {@link javax.net.ssl.SSLEngine}'s delegated tasks
 * (key agreement, signing, certificate-chain checks) take from tens of microseconds (ECDSA P-256)
 * to milliseconds (RSA 4096), and while one runs on the hub thread no other fiber runs.
 *
 * <p>Whatever the choice, a hub computes one connection's handshake step at a time, in the order the
 * connections asked, and other fibers run between two steps (a burst of new connections delays the
 * established ones by about one step, not by the whole burst). Off the hub, tasks run on one
 * thread per spare CPU ({@code weft-tls-handshake-N}), never more: on the CPUs the hub uses, more
 * threads only add switching and lock hand-offs.
 */
public enum HandshakeTasks {
    /** On the hub thread: the cheapest for fast keys; a slow key delays the hub's other fibers by its time. */
    INLINE,
    /** Always on a handshake worker thread: the hub never computes a task; each task pays a hand-off. */
    OFFLOAD,
    /**
     * On a handshake worker thread when the machine has a CPU to spare besides the hub's and recent
     * tasks were slow (a moving average of at least {@value
     * dev.weft.tls.internal.DelegatedTasks#ADAPTIVE_LIMIT_MICROS} µs); otherwise on the hub. The
     * default. Tasks after the handshake (a session ticket, a key update) always run inline.
     */
    ADAPTIVE
}
