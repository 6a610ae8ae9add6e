package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.Connection;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.TestPki;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's connection-contract example ({@code <!-- tls-readme: Greeter.java -->}) compiles with
 * this module's class path, and its {@code greet} runs unchanged over a {@link TcpSocket} and a
 * {@link TlsSocket} against line-echo servers on 127.0.0.1.
 */
@org.junit.jupiter.api.Timeout(120)
class ReadmeConnectionTest {
    private static final Pattern MARKED = Pattern.compile("<!-- tls-readme: ([^ ]+) -->\\s*\\n```java\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void theReadmesGreeterRunsOverTcpAndTls(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = MARKED.matcher(readme);
        assertTrue(m.find(), "README.md marks the connection example");
        Path source = dir.resolve(m.group(1));
        Files.writeString(source, m.group(2) + "\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                source.toString());
        assertEquals(0, status, "the README's example does not compile: " + errors.toString(StandardCharsets.UTF_8));
        List<String> answers;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method greet = loader.loadClass("Greeter").getMethod("greet", Connection.class, String.class);
            answers = Hub.run(() -> {
                TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build();
                StreamServer plain = StreamServer.builder(s -> echoLine(s)).bind("127.0.0.1", 0).start();
                StreamServer secure = StreamServer.builder(tls.handler(ReadmeConnectionTest::echoLine)).bind("127.0.0.1", 0).start();
                try (TcpSocket tcp = TcpSocket.connect("127.0.0.1", plain.port(), Duration.ofSeconds(5));
                     TlsSocket s = TlsClient.of(TestPki.get().clientContext()).connect("localhost", secure.port(), Duration.ofSeconds(5))) {
                    return List.of((String) greet.invoke(null, tcp, "tcp"), (String) greet.invoke(null, s, "tls"));
                } finally {
                    plain.stop(Duration.ofSeconds(2));
                    secure.stop(Duration.ofSeconds(2));
                }
            });
        }
        assertEquals(List.of("hello tcp (plain TCP)", "hello tls (TLSv1.3)"), answers);
    }

    private static void echoLine(Connection c) throws Exception {
        String line = new BufferedReader(new InputStreamReader(c.inputStream(), StandardCharsets.UTF_8)).readLine();
        c.writeAll(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
