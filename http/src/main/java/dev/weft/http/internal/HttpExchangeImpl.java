package dev.weft.http.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its response, handed to a handler in the connection's fiber. Thread rule: that
 * fiber (the handler may spawn fibers of the same hub that use it, one at a time).
 *
 * <p>{@link #sendResponseHeaders(int, long)} follows the JDK's rules: a length above 0 is a fixed
 * {@code Content-Length}, 0 means chunked (on HTTP/1.0: the body ends when the connection closes),
 * -1 means no body. Statuses 1xx, 204 and 304 never have a body. To a {@code HEAD} request the
 * head goes out as for {@code GET} ({@code Content-Length} when a length above 0 is given) and the
 * body written is discarded. {@code Content-Length}, {@code Transfer-Encoding} and {@code
 * Connection} are set by the server; a {@code Connection: close} the handler sets is honoured.
 *
 * <p>Attributes are per exchange; {@link #getAttribute} falls back to the context's attributes.
 */
final class HttpExchangeImpl extends HttpExchange {
    // Header names in the normal form of com.sun.net.httpserver.Headers (first letter upper case, the
    // rest lower case), so that lookups use them as they are (see HeaderMap).
    private static final String CONTENT_LENGTH = HeaderMap.CONTENT_LENGTH;
    private static final String TRANSFER_ENCODING = HeaderMap.TRANSFER_ENCODING;
    private static final String CONNECTION = HeaderMap.CONNECTION;
    private static final String DATE = HeaderMap.DATE;
    private final HttpConnection connection;
    private final RequestHead head;
    private final HttpContextImpl context;
    private final RequestBody requestBody;
    private final ResponseBody responseBody;
    private final HeaderMap responseHeaders = new HeaderMap();
    private final String rawPath;
    private URI uri;
    private InputStream in;
    private OutputStream out;
    private Map<String, Object> attributes;
    private HttpPrincipal principal;
    private int responseCode = -1;
    private boolean closed;

    HttpExchangeImpl(HttpConnection connection, RequestHead head, HttpContextImpl context, URI uri, String rawPath,
                     RequestBody requestBody, HttpOutput output) {
        this.connection = connection;
        this.head = head;
        this.context = context;
        this.uri = uri;
        this.rawPath = rawPath;
        this.requestBody = requestBody;
        this.responseBody = new ResponseBody(this, output);
        this.in = requestBody;
        this.out = responseBody;
    }

    HttpConnection connection() {
        return connection;
    }

    RequestHead head() {
        return head;
    }

    RequestBody requestBody() {
        return requestBody;
    }

    ResponseBody responseBody() {
        return responseBody;
    }

    boolean headersSent() {
        return responseCode >= 0;
    }

    @Override
    public Headers getRequestHeaders() {
        return head.headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        if (uri == null) {
            uri = URI.create(head.target()); // validated by the parser: an origin form URI accepts
        }
        return uri;
    }

    /** The path as sent (before percent-decoding), or what the URI gives. */
    String rawPath() {
        return rawPath;
    }

    @Override
    public String getRequestMethod() {
        return head.method();
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    /**
     * Ends the exchange: closes the request body (what is unread is drained when the handler
     * returns) and the response body. Closing before {@code sendResponseHeaders} makes the server
     * answer 500 and close the connection.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // the request stream's close does not fail; a filter's wrapper might
        }
        try {
            out.close();
            responseBody.close();
        } catch (IOException e) {
            connection.markBroken(); // an incomplete fixed-length body: the connection closes
        }
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (responseCode >= 0) {
            throw new IOException("sendResponseHeaders was already called (status " + responseCode + ")");
        }
        if (rCode < 100 || rCode > 999) {
            throw new IllegalArgumentException("a status code has three digits, not " + rCode);
        }
        boolean isHead = head.method().equals("HEAD");
        boolean noBodyStatus = rCode < 200 || rCode == 204 || rCode == 304;
        ResponseBody.Mode mode;
        long length = responseLength < 0 ? -1 : responseLength;
        String contentLength = null;
        boolean chunkedHeader = false;
        if (noBodyStatus) {
            mode = ResponseBody.Mode.NONE;
            length = 0;
        } else if (isHead) {
            mode = ResponseBody.Mode.HEAD;
            contentLength = length > 0 ? Long.toString(length) : null;
            length = 0;
        } else if (length > 0) {
            mode = ResponseBody.Mode.FIXED;
            contentLength = Long.toString(length);
        } else if (length < 0) {
            mode = ResponseBody.Mode.NONE;
            contentLength = "0";
            length = 0;
        } else if (head.minorVersion() == 0) {
            mode = ResponseBody.Mode.UNTIL_CLOSE;
        } else {
            mode = ResponseBody.Mode.CHUNKED;
            chunkedHeader = true;
        }
        boolean keepAlive = connection.mayKeepAlive(this) && mode != ResponseBody.Mode.UNTIL_CLOSE
                && !hasToken(responseHeaders.get(CONNECTION), "close");
        responseHeaders.remove(TRANSFER_ENCODING);
        boolean handlerMayDeclareLength = rCode == 304 || (isHead && contentLength == null);
        if (!handlerMayDeclareLength) {
            responseHeaders.remove(CONTENT_LENGTH);
        }
        if (contentLength != null) {
            responseHeaders.setByServer(CONTENT_LENGTH, contentLength);
        }
        if (chunkedHeader) {
            responseHeaders.setByServer(TRANSFER_ENCODING, "chunked");
        }
        if (!keepAlive) {
            responseHeaders.setByServer(CONNECTION, "close");
            connection.closeAfterExchange();
        } else if (head.minorVersion() == 0) {
            responseHeaders.setByServer(CONNECTION, "keep-alive");
        }
        if (!responseHeaders.containsKey(DATE)) {
            responseHeaders.setByServer(DATE, HttpDate.now());
        }
        connection.writeHead(rCode, responseHeaders);
        responseCode = rCode;
        responseBody.start(mode, length);
        if (mode == ResponseBody.Mode.NONE || mode == ResponseBody.Mode.HEAD) {
            connection.responseEnded(); // complete already; closing the stream stays the handler's to do
        }
    }

    private static boolean hasToken(List<String> values, String token) {
        if (values == null) {
            return false;
        }
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public int getResponseCode() {
        return responseCode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return connection.localAddress();
    }

    @Override
    public String getProtocol() {
        return head.protocol();
    }

    @Override
    public Object getAttribute(String name) {
        java.util.Objects.requireNonNull(name, "name");
        Object v = attributes == null ? null : attributes.get(name);
        return v != null ? v : context.getAttributes().get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        java.util.Objects.requireNonNull(name, "name");
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }

    void setPrincipal(HttpPrincipal p) {
        principal = p;
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target() + " " + head.protocol();
    }
}
