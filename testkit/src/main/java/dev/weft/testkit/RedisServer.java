package dev.weft.testkit;

import java.io.IOException;
import java.util.List;

/**
 * A throw-away {@code redis-server} on a free port of 127.0.0.1, no persistence, in a temporary directory;
 * {@link #close()} stops it and removes the directory (a shutdown hook does it if the JVM ends first).
 * Missing binary: installed (Debian package {@code redis-server}) as root, else the test is skipped.
 */
public final class RedisServer extends ServerProcess {
    /** The port it listens on (127.0.0.1). */
    public final int port = Ports.free();

    private RedisServer() throws IOException {
        super("redis");
    }

    /** Starts one and waits until it accepts connections (20 s at most). Blocks the calling thread. */
    public static RedisServer start() throws Exception {
        String bin = Tools.require("redis-server", "/usr/bin/redis-server", "redis-server").toString();
        RedisServer redis = new RedisServer();
        boolean ok = false;
        try {
            redis.start(List.of(bin, "--port", String.valueOf(redis.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", redis.dir.toString(), "--protected-mode", "no", "--daemonize", "no"));
            redis.awaitPort(redis.port, 20_000);
            ok = true;
            return redis;
        } finally {
            if (!ok) {
                redis.close();
            }
        }
    }
}
