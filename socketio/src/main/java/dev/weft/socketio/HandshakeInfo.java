package dev.weft.socketio;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What the client's first HTTP request said: its headers, its query parameters and its address.
 *
 * @param headers the request's header fields (names as {@code com.sun.net.httpserver.Headers} spells them)
 * @param query   the query parameters (first value of each)
 * @param address the client's address
 */
public record HandshakeInfo(Map<String, List<String>> headers, Map<String, String> query, InetSocketAddress address) {
}
