package dev.weft.tls;

/**
 * Where the handshake's heavy work runs: the {@link javax.net.ssl.SSLEngine}'s delegated tasks
 * (key agreement, signing, certificate-chain checks) take from tens of microseconds (ECDSA P-256)
 * to milliseconds (RSA 4096), and while one runs on the hub thread no other fiber runs.
 */
public enum HandshakeTasks {
    /** On the hub thread: the cheapest for fast keys; a slow key stalls every fiber of the hub. */
    INLINE,
    /** Always on the hub's {@link dev.weft.sockets.ThreadPool}: the hub never waits, each task pays a hand-off. */
    OFFLOAD,
    /**
     * On the hub thread while recent tasks were fast (a moving average under {@value
     * dev.weft.tls.internal.DelegatedTasks#ADAPTIVE_LIMIT_MICROS} µs), else on the thread pool; the
     * default. Tasks after the handshake (a session ticket, a key update) always run inline.
     */
    ADAPTIVE
}
