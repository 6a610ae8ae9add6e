package dev.weft.examples;

import dev.weft.bridges.ConnectionPool;
import dev.weft.bridges.FiberSocketFactory;
import dev.weft.bridges.PostgresServer;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

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
 * <pre>./weft example db [PORT [JDBC_URL]]</pre>
 * Without a JDBC URL it starts a throw-away PostgreSQL (initdb + pg_ctl in a temporary directory,
 * stopped and removed at exit) from the system's binaries (Debian package {@code postgresql}).
 * The HTTP side is the examples' minimal HTTP/1.1 (GET only, one request per connection).
 */
public final class DbExample {
    private DbExample() {
    }

    /** Starts the endpoint on the current hub, on {@code port} (0: any), over {@code pool}. Hub thread, in a fiber. */
    static StreamServer start(int port, ConnectionPool<Connection> pool) throws Exception {
        pool.withConnection(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table if not exists items (id int primary key, name text not null, price numeric not null)");
                st.execute("insert into items select i, 'item ' || i, i * 1.5 from generate_series(1, 100) i on conflict do nothing");
            }
            return null;
        });
        return StreamServer.builder(socket -> serve(socket, pool)).bind("127.0.0.1", port).start();
    }

    /** A pool of {@code size} connections to {@code url}, opened with the fiber socket factory. */
    static ConnectionPool<Connection> pool(int size, String url, Properties properties) {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("socketFactory", FiberSocketFactory.class.getName());
        return new ConnectionPool<>(size, () -> DriverManager.getConnection(url, p));
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
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        PostgresServer throwAway = null;
        String url;
        Properties props = new Properties();
        if (args.length > 1) {
            url = args[1];
        } else {
            System.out.println("starting a throw-away PostgreSQL (pass a JDBC URL as the second argument to use yours) ...");
            throwAway = PostgresServer.start();
            url = throwAway.url();
            props = throwAway.properties(false);
        }
        Properties connectionProperties = props;
        try {
            Hub.run(() -> {
                try (ConnectionPool<Connection> pool = pool(10, url, connectionProperties)) {
                    StreamServer server = start(port, pool);
                    System.out.println("try: curl http://127.0.0.1:" + server.port() + "/slow & curl http://127.0.0.1:"
                            + server.port() + "/items/7");
                    server.serveForever();
                }
            });
        } finally {
            if (throwAway != null) {
                throwAway.close();
            }
        }
    }
}
