package dev.weft.bridges;

import java.util.List;

/**
 * A throw-away {@code redis-server} on a free port of 127.0.0.1, no persistence, in a temporary
 * directory; {@link #close()} stops it and removes the directory (a shutdown hook does it if the
 * JVM ends first). Missing binary: installed (Debian package {@code redis-server}) as root, else skipped.
 */
public final class RedisServer implements AutoCloseable {
    public final int port;
    private final ServerProcess process;

    private RedisServer(ServerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RedisServer start() throws Exception {
        String bin = Binaries.require("redis-server", "/usr/bin/redis-server", "redis-server").toString();
        ServerProcess p = new ServerProcess("redis");
        boolean ok = false;
        try {
            int port = ServerProcess.freePort();
            p.start(List.of(bin, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", p.dir.toString(), "--protected-mode", "no", "--daemonize", "no"));
            p.awaitPort(port, 20_000);
            ok = true;
            return new RedisServer(p, port);
        } finally {
            if (!ok) {
                p.close();
            }
        }
    }

    /** SIGKILL: the server dies mid-command. */
    void kill() throws InterruptedException {
        process.kill();
    }

    String log() {
        return process.logText();
    }

    @Override
    public void close() {
        process.close();
    }
}
