package dev.weft.http.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.sockets.Connection;
import dev.weft.fibers.Timeout;
import dev.weft.http.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * One HTTP/1.1 connection, served by its own fiber: read a request head, run the context's
 * handler, finish the response, drain what is left of the request body, and go on with the next
 * request (keep-alive and pipelining) until the client or a rule closes it.
 *
 * <p>When the connection closes: the client asked for it ({@code Connection: close}, or HTTP/1.0
 * without {@code keep-alive}); the handler set {@code Connection: close}; a response body of unknown
 * length on HTTP/1.0; a request it refused ({@link HttpError}); a handler that threw; a response body
 * shorter than its declared length; more than {@value #DRAIN_LIMIT} unread request-body bytes, or
 * unread bytes that do not arrive within {@link #DRAIN_TIME}, or an unread body whose client still
 * waits for {@code 100 Continue}; the server stopping; the idle
 * timeout between requests. After a refused request or an undrained body it closes gracefully
 * (half-close, then read and drop what the client still sends, up to one second), so that the
 * client reads the answer instead of a reset.
 *
 * <p>Thread rule: its own fiber, except {@link #requestStop()} (any fiber of the hub).
 */
final class HttpConnection {
    private static final System.Logger LOG = System.getLogger("dev.weft.http");
    /** Unread request-body bytes read and dropped to keep a connection; beyond this it closes. */
    static final int DRAIN_LIMIT = 64 * 1024;
    /** The longest the server waits for unread request-body bytes to keep a connection. */
    static final Duration DRAIN_TIME = Duration.ofSeconds(1);
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_BYTES = 1 << 20;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpService service;
    private final Connection connection;
    /** The addresses, read once at the start (a closed socket no longer knows them). */
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final HttpLimits limits;
    private final HttpOutput out;
    private final HttpInput in;
    private final RequestParser parser;
    private final Hub hub;
    /** The minimum data rate of bodies and responses, or null. */
    private final MinDataRate rate;
    private HttpExchangeImpl current;
    /** {@link IdleConnections}' links: listed while waiting for a request. */
    boolean idleListed;
    long idleSince;
    HttpConnection idleOlder;
    HttpConnection idleNewer;
    /** Blocked waiting for the first byte of a request: a stop may close it at once. */
    private boolean idle;
    private boolean stopRequested;
    /** The framing can no longer be trusted (a body error, a short response): close after this exchange. */
    private boolean broken;
    private boolean closeAfter;
    private boolean continueSent;
    private boolean linger;
    /** A handler took the connection over ({@link #upgrade}): no more HTTP on it. */
    private boolean upgraded;
    /** What to run when the server stops while the connection is upgraded, or null. */
    private Runnable onServerStop;

    HttpConnection(HttpService service, Connection connection) {
        this.service = service;
        this.connection = connection;
        this.local = addressOrNull(connection, true);
        this.remote = addressOrNull(connection, false);
        this.limits = service.limits();
        this.rate = MinDataRate.of(connection, limits);
        this.out = new HttpOutput(connection.outputStream(), rate, 8192);
        this.in = new HttpInput(connection.inputStream(), out, 4096, limits.maxHeaderBytes() + 64);
        this.parser = new RequestParser(limits);
        this.hub = Hub.current();
    }

    /** Serves requests until the connection closes; closes the connection. Never throws but a kill. */
    void run() {
        connection.setTimeout(limits.idleTimeout());
        try {
            while (true) {
                RequestHead head = nextHead();
                if (head == null || !exchange(head)) {
                    break;
                }
                hub.spendBudget();
            }
            out.flush();
        } catch (HttpError e) {
            respondError(e);
            linger = true;
        } catch (IOException e) {
            // the client went away, the idle timeout passed, or a stop closed the connection:
            // nobody is left to answer
            out.discard();
            linger = false;
        } finally {
            try {
                if (linger) {
                    lingeringClose();
                }
            } finally {
                connection.close();
            }
        }
    }

    /** The next request head, or null when the connection should end (end of stream, or stopping while idle). */
    private RequestHead nextHead() throws IOException {
        if (in.buffered() == 0) {
            out.flush();
            if (stopRequested) {
                return null;
            }
            idle = true;
            service.idle().add(this);
            int n;
            try {
                n = in.fill();
            } finally {
                idle = false;
                service.idle().remove(this);
            }
            if (n < 0) {
                return null;
            }
        }
        RequestHead head = parser.parse(in, false);
        if (head != null) {
            return head;
        }
        Timeout t = Timeout.after(limits.requestHeadTimeout());
        try {
            return parser.parse(in, true);
        } catch (FiberTimeoutException e) {
            if (e.is(t)) {
                throw new HttpError(408, "the request head did not arrive within " + limits.requestHeadTimeout().toMillis()
                        + " ms");
            }
            throw e;
        } finally {
            t.close();
        }
    }

    /** Runs one exchange; returns whether the connection may serve another request. */
    private boolean exchange(RequestHead head) throws IOException {
        closeAfter = !head.clientKeepsAlive() || stopRequested;
        continueSent = false;
        String target = head.target();
        URI uri = null;
        String path;
        if (target.charAt(0) == '/' && !target.startsWith("//")) {
            int q = target.indexOf('?');
            path = q < 0 ? target : target.substring(0, q);
            if (path.indexOf('%') >= 0) {
                uri = URI.create(target);
                path = uri.getPath();
            }
        } else {
            try {
                uri = new URI(target);
            } catch (URISyntaxException e) {
                throw new HttpError(400, "a malformed request target: " + e.getMessage());
            }
            path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            if (uri.getScheme() != null) {
                useTargetsHost(head, uri);
            }
        }
        RequestBody body = RequestBody.of(this, in, limits, head);
        HttpContextImpl context = service.contexts().find(path);
        HttpExchangeImpl ex = new HttpExchangeImpl(this, head, context, uri, path, body, out);
        SSLSession tls = connection.session();
        HttpExchange handed = tls == null ? ex : new HttpsExchangeImpl(ex, tls);
        current = ex;
        Exception failure = null;
        try {
            if (context == null) {
                respondPlain(ex, 404, "no context serves " + path + "\n");
            } else {
                context.handle(handed);
            }
        } catch (Exception e) {
            failure = e;
            if (e instanceof IOException && !(e instanceof RefusedResponseHeaderException)) {
                LOG.log(System.Logger.Level.DEBUG, () -> "handler of " + context + " failed on " + ex + ": " + e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "handler of " + context + " failed on " + ex
                        + (ex.headersSent() ? "; the connection is closed" : "; answered 500 and closed the connection"), e);
            }
        }
        try {
            if (upgraded) {
                return false; // the handler owned the connection and is done with it: it closes
            }
            return finish(ex, failure);
        } finally {
            current = null;
            in.limitBodyRate(null);
        }
    }

    /**
     * An absolute-form target ({@code GET http://host:port/path}) names the host: RFC 9112 section
     * 3.2.2 says the server must use it and ignore the {@code Host} header, so handlers (and the
     * virtual hosting they do with {@code Host}) see the host the request was really for.
     */
    private static void useTargetsHost(RequestHead head, URI uri) throws HttpError {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new HttpError(400, "an absolute-form request target without a host: " + head.target());
        }
        head.headers().set("Host", uri.getPort() < 0 ? host : host + ":" + uri.getPort());
    }

    private boolean finish(HttpExchangeImpl ex, Exception failure) throws IOException {
        RequestBody body = ex.requestBody();
        if (!ex.headersSent()) {
            int status = 500;
            String message = "the handler failed\n";
            if (body.failure() instanceof HttpError refused) {
                status = refused.status();
                message = refused.getMessage() + "\n";
            } else if (failure == null) {
                LOG.log(System.Logger.Level.WARNING, "handler of " + ex.getHttpContext() + " returned without calling"
                        + " sendResponseHeaders on " + ex + "; answered 500 and closed the connection");
                message = "the handler sent no response\n";
            }
            closeAfter = true;
            ex.getResponseHeaders().clear(); // the handler's, possibly the very header that made it fail
            respondPlain(ex, status, message);
            linger = !body.isComplete();
            return false;
        }
        try {
            ex.responseBody().close();
        } catch (IOException e) {
            broken = true;
        }
        if (failure != null || broken || closeAfter || stopRequested) {
            linger = !body.isComplete();
            return false;
        }
        if (!body.isComplete() && !drainWithin(body, DRAIN_TIME)) {
            linger = true;
            return false;
        }
        return true;
    }

    /** Drains the rest of the body for at most {@code limit} (a slow client is not waited for). */
    private static boolean drainWithin(RequestBody body, Duration limit) {
        Timeout t = Timeout.after(limit);
        try {
            return body.drain(DRAIN_LIMIT);
        } catch (FiberTimeoutException e) {
            if (e.is(t)) {
                return false;
            }
            throw e;
        } finally {
            t.close();
        }
    }

    private void respondPlain(HttpExchangeImpl ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.responseBody().write(bytes, 0, bytes.length);
        ex.responseBody().close();
    }

    /** Answers a refused request head; the connection closes afterwards. */
    private void respondError(HttpError e) {
        try {
            byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            Headers h = new HeaderMap();
            h.set("Content-Type", "text/plain; charset=utf-8");
            h.set("Content-Length", Integer.toString(body.length));
            h.set("Connection", "close");
            h.set("Date", HttpDate.now());
            writeHead(e.status(), h);
            out.write(body, 0, body.length);
            out.flush();
        } catch (IOException gone) {
            out.discard();
        }
    }

    /** Half-closes, then reads and drops what the client still sends (bounded), so the answer is not lost to a reset. */
    private void lingeringClose() {
        Timeout t = Timeout.after(LINGER);
        try {
            out.flush();
            connection.shutdownOutput();
            InputStream raw = connection.inputStream();
            byte[] junk = new byte[4096];
            long total = 0;
            while (total < LINGER_BYTES) {
                int n = raw.read(junk, 0, junk.length);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FiberTimeoutException fte && !fte.is(t)) {
                throw fte;
            }
            // done lingering
        } finally {
            t.close();
        }
    }

    // ---------------------------------------------------------------- for the exchange and its streams

    /** Hands the connection over to {@code ex}'s handler (see {@link dev.weft.http.HttpUpgrade}). */
    Upgrades.Taken upgrade(HttpExchangeImpl ex) throws IOException {
        if (ex != current) {
            throw new IllegalStateException("the exchange " + ex + " is over: only a running exchange can be upgraded");
        }
        if (upgraded) {
            throw new IllegalStateException("the connection of " + ex + " was already taken over");
        }
        if (ex.headersSent()) {
            throw new IllegalStateException("the response to " + ex + " was already begun: upgrade before sending headers");
        }
        if (ex.head().hasBody()) {
            throw new IllegalStateException("the request " + ex + " has a body: an upgrade request has none");
        }
        if (stopRequested) {
            throw new java.io.IOException("the server is stopping: no new upgraded connection (answer 503)");
        }
        out.flush();
        out.release(); // an idle upgraded connection keeps no HTTP buffers (10,000 WebSocket connections)
        java.nio.ByteBuffer rest = in.release();
        connection.setTimeout(null);
        upgraded = true;
        service.upgraded(this, true);
        return new Upgrades.Taken(connection, rest, callback -> onServerStop = callback);
    }

    /** Whether a handler took this connection over. */
    boolean isUpgraded() {
        return upgraded;
    }

    /** The stop callback of an upgraded connection, or null. */
    Runnable onServerStop() {
        return onServerStop;
    }

    /** Writes a status line and headers into the output buffer. */
    void writeHead(int status, Headers headers) throws IOException {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (!(e.getValue() instanceof HeaderMap.ServerValue)) { // the server's own are valid
                checkField(e.getKey(), e.getValue());
            }
        }
        out.writeLatin1(status == 200 ? "HTTP/1.1 200 OK" : "HTTP/1.1 " + status + " " + Status.reason(status));
        out.crlf();
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            for (String v : e.getValue()) {
                out.writeLatin1(e.getKey());
                out.write(':');
                out.write(' ');
                out.writeLatin1(v);
                out.crlf();
            }
        }
        out.crlf();
    }

    private static void checkField(String name, List<String> values) throws IOException {
        if (name.isEmpty()) {
            throw new RefusedResponseHeaderException("a response header with an empty name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0xff || !RequestParser.isToken(c)) {
                throw new RefusedResponseHeaderException("the response header name '" + name + "' is not a token");
            }
        }
        for (String v : values) {
            if (v == null) {
                throw new RefusedResponseHeaderException("the response header " + name + " has a null value");
            }
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c > 0xff || !RequestParser.isValue(c)) {
                    throw new RefusedResponseHeaderException("the response header " + name
                            + " contains a character that cannot be sent"
                            + " (a control character such as CR or LF, or one outside Latin-1) at index " + i);
                }
            }
        }
    }

    /**
     * Whether the exchange's response may leave the connection open (decided when its head is sent,
     * which then says {@code Connection: close} if not). Not when the request body is unread and could
     * not be drained afterwards: chunked (its size is unknown) or more than {@value #DRAIN_LIMIT}
     * bytes. A handler that has begun reading the body is trusted to finish it.
     */
    boolean mayKeepAlive(HttpExchangeImpl ex) {
        RequestBody body = ex.requestBody();
        return !closeAfter && !broken && !stopRequested && !awaitingContinue() && body.failure() == null
                && (body.isStarted() || body.mayDrain(DRAIN_LIMIT));
    }

    /** The current request asked for {@code 100 Continue}, has a body, and it was not sent. */
    boolean awaitingContinue() {
        HttpExchangeImpl ex = current;
        return ex != null && ex.head().expectContinue() && ex.head().hasBody() && !continueSent
                && !ex.requestBody().isStarted();
    }

    /** Called by the request body before its first read: sends {@code 100 Continue} if the client waits for it. */
    void beforeFirstBodyRead() throws IOException {
        HttpExchangeImpl ex = current;
        if (ex != null && ex.head().expectContinue() && !continueSent && !ex.headersSent()) {
            continueSent = true;
            out.write(CONTINUE, 0, CONTINUE.length);
            out.flush();
        }
        if (rate != null) {
            rate.startBody();
            in.limitBodyRate(rate);
        }
    }

    void bodyFailed() {
        broken = true;
    }

    void markBroken() {
        broken = true;
    }

    void closeAfterExchange() {
        closeAfter = true;
    }

    /**
     * The response body ended: send it now. (Holding it back while more pipelined requests are
     * buffered would save write calls, but the next handler may block, and this response would wait
     * for it.)
     */
    void responseEnded() throws IOException {
        out.flush();
    }

    InetSocketAddress remoteAddress() {
        return remote;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    private static InetSocketAddress addressOrNull(Connection connection, boolean local) {
        try {
            return local ? connection.localAddress() : connection.remoteAddress();
        } catch (IOException closedAlready) {
            return null;
        }
    }

    /**
     * Closes this connection while it waits for a request, to give its slot to a new client (the
     * server is full and this one was idle longest). Hub thread.
     */
    void reclaim() {
        LOG.log(System.Logger.Level.DEBUG, () -> "closed " + this + ", idle longest, to make room for a new connection"
                + " (maxConnections " + limits.maxConnections() + ")");
        closeAfter = true;
        connection.close();
    }

    /** The server is stopping: an idle connection closes now, a busy one after its exchange. Hub thread. */
    void requestStop() {
        stopRequested = true;
        if (idle) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "HttpConnection(" + connection + ")";
    }
}
