package dev.weft.websocket;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An HTTP request that asks to become a WebSocket, as someone else parsed it: its method, its target
 * (path and query) and its header fields. {@link WebSocketServer#accept} takes it with the connection
 * it came on. Header names are case-insensitive; a name may have several values (several fields).
 *
 * <p>The {@code http} module's upgrade hook (next) builds one from an exchange: {@code new
 * UpgradeRequest(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
 * exchange.getRequestHeaders())} ({@code com.sun.net.httpserver.Headers} is such a map). Until then, a
 * server that reads the request head itself builds it the same way. The caller has checked that the
 * request is HTTP/1.1.
 *
 * @param method  the request method ({@code GET} for an upgrade)
 * @param target  the request target, e.g. {@code /chat?room=1}
 * @param headers the header fields: a case-insensitive copy is kept
 */
public record UpgradeRequest(String method, String target, Map<String, List<String>> headers) {
    public UpgradeRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            copy.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
        }
        copy.replaceAll((k, v) -> List.copyOf(v));
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
