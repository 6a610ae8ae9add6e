package dev.weft.bridges;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A throw-away MariaDB server from the system's binaries: {@code mariadb-install-db} into a temporary
 * directory, then {@code mariadbd} on a free port of 127.0.0.1 with its socket and pid file in that
 * directory and no grant tables (any user connects without a password: a test server only). {@link
 * #close()} stops it and removes the directory; a shutdown hook does it if the JVM ends first. Missing
 * binaries: installed (Debian package {@code mariadb-server}) as root, else skipped.
 */
final class MariaDbServer implements AutoCloseable {
    final int port;
    private final ServerProcess process;

    private MariaDbServer(ServerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static MariaDbServer start() throws Exception {
        Path installDb = Binaries.require("mariadb-server", "mariadb-install-db", "/usr/bin/mariadb-install-db");
        Path mariadbd = Binaries.require("mariadb-server", "/usr/sbin/mariadbd", "mariadbd");
        ServerProcess files = new ServerProcess("mariadb");
        boolean ok = false;
        try {
            Path data = files.dir.resolve("data");
            List<String> user = Binaries.isRoot() ? List.of("--user=root") : List.of();
            List<String> install = new ArrayList<>(List.of(installDb.toString(), "--no-defaults", "--datadir=" + data,
                    "--auth-root-authentication-method=normal", "--skip-test-db"));
            install.addAll(user);
            int rc = Binaries.run(install, 180);
            if (rc != 0) {
                throw new java.io.IOException("mariadb-install-db exited with " + rc);
            }
            int port = ServerProcess.freePort();
            List<String> run = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults", "--datadir=" + data,
                    "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + files.dir.resolve("mariadb.sock"),
                    "--pid-file=" + files.dir.resolve("mariadb.pid"), "--skip-grant-tables", "--skip-name-resolve",
                    "--max-connections=400", "--innodb-buffer-pool-size=32M", "--skip-log-bin"));
            run.addAll(user);
            files.start(run);
            files.awaitPort(port, 60_000);
            ok = true;
            return new MariaDbServer(files, port);
        } finally {
            if (!ok) {
                files.close();
            }
        }
    }

    /** {@code jdbc:mysql://127.0.0.1:PORT/mysql} (MySQL Connector/J). */
    String mysqlUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/mysql";
    }

    /** {@code jdbc:mariadb://127.0.0.1:PORT/mysql} (MariaDB Connector/J). */
    String mariadbUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/mysql";
    }

    /** User {@code weft} (any user gets in: no grant tables), no TLS. */
    Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", "weft");
        p.setProperty("password", "");
        p.setProperty("sslMode", "DISABLED");
        p.setProperty("allowPublicKeyRetrieval", "true");
        return p;
    }

    /** The server's client connections, the asking one excluded (SHOW PROCESSLIST without the daemons). */
    long connections(Connection admin) throws SQLException {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "select count(*) from information_schema.processlist where command <> 'Daemon' and id <> connection_id()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A connection through a JDK socket (MariaDB Connector/J), for checks from a plain thread or a fiber. */
    Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(mariadbUrl(), properties());
    }

    /** Kills the server at once (SIGKILL): every connection drops. */
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
