package dev.weft.examples;

import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/** A minimal HTTP/1.1 GET over {@link TcpSocket}: one request per connection. Fibers only. */
final class HttpGet {
    /** A status code and a body. */
    record Response(int status, String body) {
    }

    private HttpGet() {
    }

    /** Fetches {@code uri} ({@code http://host:port/path}); blocks the calling fiber. */
    static Response get(URI uri, Duration timeout) throws IOException {
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs, not " + uri);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        try (TcpSocket s = TcpSocket.connect(uri.getHost(), port, timeout)) {
            s.setTimeout(timeout);
            String path = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            s.writeAll(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            LineReader in = new LineReader(s);
            String status = in.readLine();
            if (status == null || !status.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response from " + uri + ": " + status);
            }
            int length = -1;
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(h.indexOf(':') + 1).trim());
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length from " + uri);
            }
            return new Response(Integer.parseInt(status.split(" ")[1]),
                    new String(in.readBytes(length), StandardCharsets.UTF_8));
        }
    }
}
