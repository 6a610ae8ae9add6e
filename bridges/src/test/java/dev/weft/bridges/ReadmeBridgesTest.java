package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.testkit.MariaDbServer;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.PostgresServer;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 item 17: every Java block of README.md's bridges section (marked {@code <!-- bridges-readme -->})
 * is compiled into one class and run against the real servers: the pgjdbc {@code ConnectionPool} example
 * (which once closed its pool before its 50 queries ran), HikariCP with {@link FiberDataSource}, MySQL
 * Connector/J's properties, Apache HttpClient 5 and the JDK's HttpClient.
 */
@org.junit.jupiter.api.Timeout(240)
class ReadmeBridgesTest {
    private static final Pattern MARKED = Pattern.compile("<!-- bridges-readme -->\\s*\\n```java\\n(.*?)\\n```", Pattern.DOTALL);
    private static final String IMPORTS = """
            import com.zaxxer.hikari.HikariConfig;
            import com.zaxxer.hikari.HikariDataSource;
            import dev.weft.bridges.*;
            import dev.weft.fibers.*;
            import java.net.http.HttpClient;
            import java.net.http.HttpRequest;
            import java.net.http.HttpResponse;
            import java.net.http.HttpResponse.BodyHandlers;
            import java.sql.*;
            import java.time.Duration;
            import java.util.*;
            import javax.sql.DataSource;
            import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
            import org.apache.hc.client5.http.impl.classic.HttpClients;
            import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
            import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
            import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
            import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
            import org.apache.hc.core5.http.config.RegistryBuilder;
            import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
            import org.apache.hc.core5.pool.PoolReusePolicy;
            import org.apache.hc.core5.util.TimeValue;
            """;

    /** Where the README's blocks compile to; JUnit deletes it after the test, passed or failed. */
    @TempDir
    Path scratch;

    /** The README's blocks compiled into {@code readme.Bridges}, in {@code dir}. */
    private static Class<?> compileReadme(Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = MARKED.matcher(readme);
        StringBuilder body = new StringBuilder();
        int blocks = 0;
        while (m.find()) {
            body.append(m.group(1)).append('\n');
            blocks++;
        }
        assertTrue(blocks >= 1, "README.md marks its bridges code with <!-- bridges-readme -->");
        Path src = dir.resolve("readme").resolve("Bridges.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package readme;\n" + IMPORTS + "public final class Bridges {\n" + body + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null, List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                "-proc:none", "-Xlint:none"), null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(src.toFile()))
                .call();
        assertTrue(ok, "README.md's bridges blocks compile:\n" + errors + "\n" + Files.readString(src));
        URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, ReadmeBridgesTest.class.getClassLoader());
        return loader.loadClass("readme.Bridges");
    }

    private static Method method(Class<?> c, String name) {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name)) {
                m.setAccessible(true);
                return m;
            }
        }
        throw new AssertionError("README.md's bridges section has no method " + name);
    }

    @Test
    void theBridgesSectionsCodeCompilesAndRunsAgainstTheRealServers() throws Exception {
        Class<?> readme = compileReadme(scratch);
        try (PostgresServer pg = PostgresServer.start()) {
            long start = System.nanoTime();
            List<?> done = (List<?>) method(readme, "fiftyQueries").invoke(null, pg.url(), "weft");
            double s = (System.nanoTime() - start) / 1e9;
            assertEquals(50, done.size());
            assertTrue(done.stream().allMatch(Boolean.TRUE::equals), done.toString());
            assertTrue(s >= 2.5 && s < 15, "50 queries of 0.5 s over 10 connections: 5 waves, took " + s + " s");
            Measurements.record("README pgjdbc ConnectionPool example: 50 x pg_sleep(0.5) over 10 connections in " + s + " s");

            try (var hikari = (com.zaxxer.hikari.HikariDataSource) method(readme, "hikari").invoke(null, pg.url(), "weft", 5)) {
                start = System.nanoTime();
                assertEquals(10, method(readme, "tenQueriesOverFiveConnections").invoke(null, (DataSource) hikari));
                s = (System.nanoTime() - start) / 1e9;
                assertTrue(s >= 1.0 && s < 5, "10 x 0.5 s over 5 connections: " + s + " s");
                Measurements.record("README HikariCP example: 10 x pg_sleep(0.5) over 5 connections in " + s + " s");
            }
        }
        try (MariaDbServer db = MariaDbServer.start()) {
            Properties p = (Properties) method(readme, "mysqlProperties").invoke(null, "weft");
            long one = Hub.run(() -> {
                try (Connection c = DriverManager.getConnection(db.mysqlUrl(), p); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("select 1")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertEquals(1, one);
        }
        TinyHttpServer.OwnHub server = TinyHttpServer.startOnItsOwnHub();
        try (var apache = (org.apache.hc.client5.http.impl.classic.CloseableHttpClient) method(readme, "apacheHttpClient").invoke(null, 4);
                HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String base = "http://localhost:" + server.port;
            String[] got = Hub.run(() -> new String[] {
                apache.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(base + "/hello/apache"),
                        r -> org.apache.hc.core5.http.io.entity.EntityUtils.toString(r.getEntity())),
                (String) method(readme, "fetch").invoke(null, jdk, HttpRequest.newBuilder(URI.create(base + "/hello/jdk")).build())
            });
            assertEquals("hello apache", got[0]);
            assertEquals("hello jdk", got[1]);
        } finally {
            server.close();
        }
    }
}
