package dev.weft.bridges;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server from the system's binaries: {@code initdb} and {@code pg_ctl} in a
 * temporary directory (run as the {@code postgres} system user through {@code runuser} when the tests
 * run as root, since {@code initdb} refuses root), listening on a free port of 127.0.0.1 with its Unix
 * socket inside that directory, trust authentication for user {@code weft}. {@link #close()} stops it
 * ({@code pg_ctl stop -m immediate}) and removes the directory; a shutdown hook does it if the JVM
 * ends first. Missing binaries: installed (Debian package {@code postgresql}) as root, else skipped.
 *
 * <p>It offers TLS with a self-signed certificate (clients get {@code sslmode=disable} from
 * {@link #properties} unless they ask). {@code client_connection_check_interval} is set, so that a backend whose client went away
 * ends its query instead of running it to the end.
 */
public final class PostgresServer implements AutoCloseable {
    final int port;
    private final ServerProcess files;
    private final String pgCtl;
    private final Path data;
    private boolean tls;

    private PostgresServer(ServerProcess files, int port, String pgCtl) {
        this.files = files;
        this.port = port;
        this.pgCtl = pgCtl;
        this.data = files.dir.resolve("data");
    }

    public static PostgresServer start() throws Exception {
        return start(true);
    }

    /**
     * Starts one; {@code stopAtExit}: whether a JVM shutdown hook stops it if {@link #close()} was not
     * called. False for a program whose own shutdown hook stops it after what uses it (the db example):
     * shutdown hooks run all at once, in no order, so a second hook would stop it under live queries.
     */
    public static PostgresServer start(boolean stopAtExit) throws Exception {
        String initdb = Binaries.require("postgresql", Binaries.postgresBin("initdb")).toString();
        String pgCtl = Binaries.require("postgresql", Binaries.postgresBin("pg_ctl")).toString();
        ServerProcess files = new ServerProcess("postgres", stopAtExit);
        boolean ok = false;
        try {
            if (Binaries.isRoot()) {
                UserPrincipalLookupService users = files.dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(files.dir, users.lookupPrincipalByName("postgres"));
            }
            int port = ServerProcess.freePort();
            PostgresServer pg = new PostgresServer(files, port, pgCtl);
            List<String> tls = pg.makeCertificate();
            pg.runAsOwner(List.of(initdb, "-D", pg.data.toString(), "-U", "weft", "-A", "trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions"));
            files.onStop(pg::stopServer);
            pg.runAsOwner(List.of(pgCtl, "-D", pg.data.toString(), "-l", files.log().toString(), "-w", "-t", "60",
                    "-o", String.join(" ", "-p", String.valueOf(port), "-k", files.dir.toString(),
                            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off",
                            "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=32MB",
                            "-c", "client_connection_check_interval=100ms", String.join(" ", tls)),
                    "start"));
            ok = true;
            return pg;
        } finally {
            if (!ok) {
                files.close();
            }
        }
    }

    /**
     * A self-signed certificate for the server's TLS (options {@code -c ssl=on ...}), or no options
     * when openssl is missing (then TLS tests skip). The key is the server user's, mode 0600, as
     * PostgreSQL demands.
     */
    private List<String> makeCertificate() throws IOException, InterruptedException {
        Path openssl = Path.of("/usr/bin/openssl");
        if (!Files.isExecutable(openssl)) {
            return List.of();
        }
        Path cert = files.dir.resolve("server.crt");
        Path key = files.dir.resolve("server.key");
        int rc = Binaries.run(List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=localhost"), 60);
        if (rc != 0) {
            return List.of();
        }
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        if (Binaries.isRoot()) {
            UserPrincipalLookupService users = files.dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(key, users.lookupPrincipalByName("postgres"));
            Files.setOwner(cert, users.lookupPrincipalByName("postgres"));
        }
        tls = true;
        return List.of("-c", "ssl=on", "-c", "ssl_cert_file=" + cert, "-c", "ssl_key_file=" + key);
    }

    /** Whether the server offers TLS (openssl was there to make its certificate). */
    boolean tls() {
        return tls;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Connection properties: user {@code weft}, and the fiber socket factory if {@code fibers}. */
    public Properties properties(boolean fibers) {
        Properties p = new Properties();
        p.setProperty("user", "weft");
        p.setProperty("sslmode", "disable"); // TLS only where a test asks for it
        if (fibers) {
            p.setProperty("socketFactory", FiberSocketFactory.class.getName());
        }
        return p;
    }

    /** A connection through a JDK socket (for checks made from the test thread). */
    Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(url(), properties(false));
    }

    /** The server log, for failure messages. */
    String log() {
        return files.logText();
    }

    /** Kills the server at once ({@code pg_ctl stop -m immediate}): every backend ends, clients see the connection drop. */
    void kill() {
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

    @Override
    public void close() {
        files.close();
    }

    private void runAsOwner(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (Binaries.isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = files.dir.resolve("command.out");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", full) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            String text;
            try (Stream<String> lines = Files.lines(out)) {
                text = String.join("\n", lines.toList());
            }
            throw new IOException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n" + text + "\n"
                    + files.logText());
        }
    }
}
