package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/**
 * A throw-away PostgreSQL server from the system's binaries: {@code initdb} and {@code pg_ctl} in a
 * temporary directory (run as the {@code postgres} system user through {@code runuser} when the tests run
 * as root, since {@code initdb} refuses root), listening on a free port of 127.0.0.1 with its Unix socket
 * inside that directory, trust authentication for user {@code weft}. {@link #close()} stops it
 * ({@code pg_ctl stop -m immediate}) and removes the directory; a shutdown hook does it if the JVM ends
 * first. Missing binaries: installed (Debian package {@code postgresql}) as root, else the test is skipped.
 * The JDBC driver (pgjdbc) comes from the caller's class path.
 *
 * <p>It offers TLS with a self-signed certificate (clients get {@code sslmode=disable} from
 * {@link #properties()} unless they ask). {@code client_connection_check_interval} is set, so that a
 * backend whose client went away ends its query instead of running it to the end.
 */
public final class PostgresServer extends ServerProcess {
    /** The port it listens on (127.0.0.1). */
    public final int port = Ports.free();
    private final String pgCtl;
    private final Path data;
    private boolean tls;

    private PostgresServer(boolean stopAtExit, String pgCtl) throws IOException {
        super("postgres", stopAtExit);
        this.pgCtl = pgCtl;
        this.data = dir.resolve("data");
    }

    /** Starts one (a shutdown hook stops it if {@link #close()} is not called). Blocks the calling thread for seconds. */
    public static PostgresServer start() throws Exception {
        return start(true);
    }

    /**
     * Starts one; {@code stopAtExit}: whether a JVM shutdown hook stops it if {@link #close()} was not
     * called. False for a program whose own shutdown hook stops it after what uses it (the db example):
     * shutdown hooks run all at once, in no order, so a second hook would stop it under live queries.
     */
    public static PostgresServer start(boolean stopAtExit) throws Exception {
        String initdb = Tools.require("postgresql", bin("initdb")).toString();
        String pgCtl = Tools.require("postgresql", bin("pg_ctl")).toString();
        PostgresServer pg = new PostgresServer(stopAtExit, pgCtl);
        boolean ok = false;
        try {
            if (Tools.isRoot()) {
                Files.setOwner(pg.dir, postgresUser(pg.dir));
            }
            List<String> tls = pg.makeCertificate();
            pg.runAsOwner(List.of(initdb, "-D", pg.data.toString(), "-U", "weft", "-A", "trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions"));
            pg.onStop(pg::stopServer);
            pg.runAsOwner(List.of(pgCtl, "-D", pg.data.toString(), "-l", pg.log().toString(), "-w", "-t", "60",
                    "-o", String.join(" ", "-p", String.valueOf(pg.port), "-k", pg.dir.toString(),
                            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off",
                            "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=32MB",
                            "-c", "client_connection_check_interval=100ms", String.join(" ", tls)),
                    "start"));
            ok = true;
            return pg;
        } finally {
            if (!ok) {
                pg.close();
            }
        }
    }

    /** The newest {@code /usr/lib/postgresql/N/bin/name} (Debian keeps them off the PATH), or the name itself. */
    private static String bin(String name) {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (var versions = Files.list(root)) {
                List<Path> bins = new ArrayList<>(versions.map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable).toList());
                bins.sort(Comparator.comparing((Path p) -> versionOf(p.getParent().getParent().getFileName().toString())));
                if (!bins.isEmpty()) {
                    return bins.get(bins.size() - 1).toString();
                }
            } catch (IOException ignored) {
                // fall back to the PATH
            }
        }
        return name;
    }

    private static int versionOf(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static java.nio.file.attribute.UserPrincipal postgresUser(Path any) throws IOException {
        UserPrincipalLookupService users = any.getFileSystem().getUserPrincipalLookupService();
        return users.lookupPrincipalByName("postgres");
    }

    /**
     * A self-signed certificate for the server's TLS (options {@code -c ssl=on ...}), or no options when
     * openssl is missing (then the TLS tests skip). The key is the server user's, mode 0600, as PostgreSQL
     * demands.
     */
    private List<String> makeCertificate() throws IOException, InterruptedException {
        Path openssl = Tools.onPath("openssl");
        if (openssl == null) {
            return List.of();
        }
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Processes.Result made = Processes.run(List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=localhost"), 60);
        if (made.exit() != 0) {
            return List.of();
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        if (Tools.isRoot()) {
            Files.setOwner(key, postgresUser(key));
            Files.setOwner(cert, postgresUser(cert));
        }
        tls = true;
        return List.of("-c", "ssl=on", "-c", "ssl_cert_file=" + cert, "-c", "ssl_key_file=" + key);
    }

    /** Whether the server offers TLS (openssl was there to make its certificate). */
    public boolean tls() {
        return tls;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Connection properties: user {@code weft}, no TLS ({@code sslmode=disable}). */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", "weft");
        p.setProperty("sslmode", "disable"); // TLS only where a test asks for it
        return p;
    }

    /** {@link #properties()} with pgjdbc's {@code socketFactory} set to {@code socketFactory} (Weft's {@code FiberSocketFactory}). */
    public Properties properties(Class<? extends javax.net.SocketFactory> socketFactory) {
        Properties p = properties();
        p.setProperty("socketFactory", socketFactory.getName());
        return p;
    }

    /** A connection through a JDK socket (for checks made from the test thread). */
    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(url(), properties());
    }

    /** Kills the server at once ({@code pg_ctl stop -m immediate}): every backend ends, clients see the connection drop. */
    @Override
    public void kill() {
        stopServer();
    }

    private void stopServer() {
        if (!Files.exists(data.resolve("postmaster.pid"))) {
            return;
        }
        try {
            runAsOwner(List.of(pgCtl, "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("pg_ctl stop failed: " + e.getMessage(), e);
        }
    }

    private void runAsOwner(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (Tools.isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Processes.Result r = Processes.run(null, full, null, Duration.ofSeconds(120));
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", full) + " exited with " + r + "\n" + logText());
        }
    }
}
