package dev.weft.testkit;

import java.io.IOException;
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
 * binaries: installed (Debian package {@code mariadb-server}) as root, else the test is skipped. The JDBC
 * drivers (MySQL's or MariaDB's Connector/J) come from the test's class path.
 */
public final class MariaDbServer extends ServerProcess {
    /** The port it listens on (127.0.0.1). */
    public final int port = Ports.free();

    private MariaDbServer() throws IOException {
        super("mariadb");
    }

    /** Starts one and waits until it accepts connections (a minute at most). Blocks the calling thread. */
    public static MariaDbServer start() throws Exception {
        Path installDb = Tools.require("mariadb-server", "mariadb-install-db", "/usr/bin/mariadb-install-db");
        Path mariadbd = Tools.require("mariadb-server", "/usr/sbin/mariadbd", "mariadbd");
        MariaDbServer db = new MariaDbServer();
        boolean ok = false;
        try {
            Path data = db.dir.resolve("data");
            List<String> user = Tools.isRoot() ? List.of("--user=root") : List.of();
            List<String> install = new ArrayList<>(List.of(installDb.toString(), "--no-defaults", "--datadir=" + data,
                    "--auth-root-authentication-method=normal", "--skip-test-db"));
            install.addAll(user);
            Processes.Result installed = Processes.run(install, 180);
            if (installed.exit() != 0) {
                throw new IOException("mariadb-install-db exited with " + installed);
            }
            List<String> run = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults", "--datadir=" + data,
                    "--port=" + db.port, "--bind-address=127.0.0.1", "--socket=" + db.dir.resolve("mariadb.sock"),
                    "--pid-file=" + db.dir.resolve("mariadb.pid"), "--skip-grant-tables", "--skip-name-resolve",
                    "--max-connections=400", "--innodb-buffer-pool-size=32M", "--skip-log-bin"));
            run.addAll(user);
            db.start(run);
            db.awaitPort(db.port, 60_000);
            ok = true;
            return db;
        } finally {
            if (!ok) {
                db.close();
            }
        }
    }

    /** {@code jdbc:mysql://127.0.0.1:PORT/mysql} (MySQL Connector/J). */
    public String mysqlUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/mysql";
    }

    /** {@code jdbc:mariadb://127.0.0.1:PORT/mysql} (MariaDB Connector/J). */
    public String mariadbUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/mysql";
    }

    /** User {@code weft} (any user gets in: no grant tables), no TLS. */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", "weft");
        p.setProperty("password", "");
        p.setProperty("sslMode", "DISABLED");
        p.setProperty("allowPublicKeyRetrieval", "true");
        return p;
    }

    /** The server's client connections, the asking one excluded (SHOW PROCESSLIST without the daemons). */
    public long connections(Connection admin) throws SQLException {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "select count(*) from information_schema.processlist where command <> 'Daemon' and id <> connection_id()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A connection through a JDK socket (MariaDB Connector/J), for checks from a plain thread or a fiber. */
    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(mariadbUrl(), properties());
    }
}
