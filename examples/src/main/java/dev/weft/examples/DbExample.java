package dev.weft.examples;

import dev.weft.bridges.ConnectionPool;
import dev.weft.bridges.FiberSocketFactory;
import dev.weft.fibers.AsyncResult;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Seed 003 in Java: gunicorn + gevent + a database. An HTTP endpoint where each request is a fiber
 * that queries PostgreSQL through the unmodified JDBC driver (its {@code socketFactory} is {@link
 * FiberSocketFactory}); connections come from a {@link ConnectionPool} on Weft's semaphore. A slow
 * query parks only its request's fiber, so {@code /items/N} answers at once while {@code /slow} waits.
 *
 * <ul>
 *   <li>{@code GET /items/N} — one row of the {@code items} table (seeded with 100 rows)
 *   <li>{@code GET /slow} — {@code select pg_sleep(2)}, then the row count
 * </ul>
 *
 * <pre>./weft example db [--backend nio|epoll|kqueue] [--port N] [--jdbc URL]</pre>
 * Without {@code --jdbc} it starts a throw-away PostgreSQL (initdb + pg_ctl in a temporary
 * directory, stopped and removed when the example ends) from the system's binaries (Debian package
 * {@code postgresql}). The port is taken first: if it is in use, nothing else starts. SIGINT or
 * SIGTERM stops the HTTP side first (requests in flight get {@link #GRACE} to finish), then the
 * database. The HTTP side is the examples' minimal HTTP/1.1 (GET only, one request per connection).
 */
public final class DbExample {
    static final int PORT = 8000;
    /** How long requests in flight get to finish at a stop: more than {@code /slow}'s 2 s query. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private DbExample() {
    }

    /** Fills the {@code items} table (created if missing). In a fiber. */
    static void seed(ConnectionPool<Connection> pool) throws Exception {
        pool.withConnection(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table if not exists items (id int primary key, name text not null, price numeric not null)");
                st.execute("insert into items select i, 'item ' || i, i * 1.5 from generate_series(1, 100) i on conflict do nothing");
            }
            return null;
        });
    }

    /** Seeds the table and starts the endpoint on the current hub, on {@code port} (0: any), over {@code pool}. In a fiber. */
    static StreamServer start(int port, ConnectionPool<Connection> pool) throws Exception {
        seed(pool);
        AsyncResult<ConnectionPool<Connection>> ready = new AsyncResult<>();
        ready.set(pool);
        return listen(port, ready);
    }

    /**
     * Starts the endpoint on the current hub, on {@code port} (0: any), before the database is there:
     * each request waits for {@code database}. In a fiber.
     *
     * @throws java.net.BindException if the port is in use
     */
    static StreamServer listen(int port, AsyncResult<ConnectionPool<Connection>> database) throws IOException {
        return StreamServer.builder(socket -> serve(socket, database.get())).bind("127.0.0.1", port).start();
    }

    /** A pool of {@code size} connections to {@code url}, opened with the fiber socket factory. */
    static ConnectionPool<Connection> pool(int size, String url, Properties properties) {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("socketFactory", FiberSocketFactory.class.getName());
        return new ConnectionPool<>(size, () -> DriverManager.getConnection(url, p));
    }

    /**
     * The database behind the endpoint: a throw-away PostgreSQL (or the one {@code --jdbc} names), a
     * pool and the seeded table. Started in the hub's main fiber once the port is taken; closed there
     * after the HTTP side has stopped. Hub thread.
     */
    private static final class Database implements AutoCloseable {
        final AsyncResult<ConnectionPool<Connection>> ready = new AsyncResult<>();
        private PostgresServer throwAway;
        private ConnectionPool<Connection> pool;

        /** Starts it for {@code server}; on failure closes what did start and throws, saying what failed. */
        Database start(String jdbcUrl, StreamServer server) throws Exception {
            try {
                String url = jdbcUrl;
                Properties props = new Properties();
                if (url == null) {
                    System.out.println("starting a throw-away PostgreSQL (--jdbc URL uses yours instead) ...");
                    // initdb and pg_ctl take seconds: on a pool thread, not the hub's. No shutdown hook of its
                    // own: the example's stops it, after the HTTP side (hooks run all at once, in no order).
                    throwAway = ThreadPool.offload(() -> PostgresServer.start(false));
                    url = throwAway.url();
                    props = throwAway.properties();
                    System.out.println("PostgreSQL on " + url + " (stopped and removed when this ends)");
                }
                pool = pool(10, url, props);
                seed(pool);
                ready.set(pool);
                String base = "http://" + Examples.hostPort(server);
                System.out.println("try: curl " + base + "/slow & curl " + base + "/items/7");
                return this;
            } catch (Exception e) { // also the test fixture's "skipped" when the binaries are missing
                close();
                throw new IllegalStateException("db: cannot start the database: " + String.valueOf(e.getMessage())
                        .replaceFirst("^SKIPPED: ", "") + (jdbcUrl == null ? " (or pass --jdbc URL of yours)" : ""), e);
            }
        }

        @Override
        public void close() throws Exception {
            if (!ready.isDone()) {
                ready.setException(new IllegalStateException("the database did not start"));
            }
            if (pool != null) {
                pool.close();
            }
            if (throwAway != null) {
                PostgresServer pg = throwAway;
                throwAway = null;
                ThreadPool.offload(() -> {
                    pg.close();
                    return null;
                });
                System.out.println("stopped the throw-away PostgreSQL");
            }
        }
    }

    private static void serve(TcpSocket socket, ConnectionPool<Connection> pool) throws Exception {
        LineReader in = new LineReader(socket);
        String requestLine = in.readLine();
        if (requestLine == null) {
            return;
        }
        for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
            // headers are not needed here
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[0].equals("GET")) {
            respond(socket, 400, "only GET is served here\n");
            return;
        }
        String path = parts[1];
        try {
            if (path.startsWith("/items/")) {
                int id = Integer.parseInt(path.substring("/items/".length()));
                String row = pool.withConnection(c -> {
                    try (PreparedStatement ps = c.prepareStatement("select name, price from items where id = ?")) {
                        ps.setInt(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) + " costs " + rs.getBigDecimal(2) : null;
                        }
                    }
                });
                respond(socket, row == null ? 404 : 200, (row == null ? "no item " + id : row) + "\n");
            } else if (path.equals("/slow")) {
                long count = pool.withConnection(c -> {
                    try (Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("select count(*) from items, pg_sleep(2)")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                respond(socket, 200, "slowly counted " + count + " items\n");
            } else {
                respond(socket, 404, "no route " + path + "\n");
            }
        } catch (NumberFormatException e) {
            respond(socket, 400, "bad item id in " + path + "\n");
        } catch (SQLException e) {
            respond(socket, 503, "database error: " + e.getMessage() + "\n");
        }
    }

    private static void respond(TcpSocket socket, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 503 -> "Service Unavailable";
            default -> "Not Found";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        socket.writeAll(head.getBytes(StandardCharsets.US_ASCII));
        socket.writeAll(bytes);
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("db", "[--port N] [--jdbc URL]", args, PORT, Set.of(),
                Map.of("--jdbc", "URL"), false);
        String jdbcUrl = options.value("--jdbc", null);
        Database[] database = new Database[1];
        Examples.serveUntilSignal(options, GRACE, port -> {
            database[0] = new Database();
            return listen(port, database[0].ready);
        }, server -> database[0].start(jdbcUrl, server), "db (HTTP over PostgreSQL, a fiber per request)");
    }
}
