package dev.weft.http.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.sockets.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/** How {@link dev.weft.http.HttpUpgrade} reaches an exchange's connection (the public API stays in {@code dev.weft.http}). */
public final class Upgrades {
    /** What a taken connection gives its new owner. */
    public record Taken(Connection connection, ByteBuffer alreadyRead, Hooks hooks) {
    }

    /** The server's side of an upgraded connection. */
    public interface Hooks {
        void onServerStop(Runnable callback);
    }

    private Upgrades() {
    }

    /** See {@link dev.weft.http.HttpUpgrade#take}. */
    public static Taken take(HttpExchange exchange) throws IOException {
        HttpExchangeImpl ex;
        if (exchange instanceof HttpExchangeImpl plain) {
            ex = plain;
        } else if (exchange instanceof HttpsExchangeImpl tls) {
            ex = tls.plain();
        } else {
            throw new IllegalStateException("only an exchange of a Weft HTTP server can be upgraded, not " + exchange);
        }
        return ex.connection().upgrade(ex);
    }
}
