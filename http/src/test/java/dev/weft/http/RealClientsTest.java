package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.weft.testkit.Processes;
import dev.weft.testkit.Tools;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients nobody here wrote, against a server made through the JDK's own {@code HttpServer.create}
 * (the Weft provider, its own hub thread): curl, ab, wrk with pipelining, Python's http.client and
 * raw sockets.
 */
@org.junit.jupiter.api.Timeout(120)
class RealClientsTest {
    private HttpServer server;
    private String base;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger smuggled = new AtomicInteger();
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", ex -> {
            requests.incrementAndGet();
            clientPorts.add(ex.getRemoteAddress().getPort());
            byte[] b = "hello".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.createContext("/echo", HttpServerTest.ECHO);
        server.createContext("/smuggled", ex -> {
            smuggled.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void curlKeepsTheConnectionAliveUploadsChunkedAndSpeaksHttp10() throws Exception {
        Tools.require("curl", "curl");
        Processes.Result two = Processes.run(List.of("curl", "-sS", base + "/hello", base + "/hello"), 30);
        assertEquals("hellohello", two.out(), two.stderr());
        assertEquals(1, clientPorts.size(), "both requests came over one connection: " + clientPorts);

        byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        Path file = dir.resolve("upload.bin");
        Files.write(file, data);
        Path got = dir.resolve("download.bin");
        Processes.Result up = Processes.run(List.of("curl", "-sS", "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + file, "-o", got.toString(), "-w", "%{http_code}", base + "/echo"), 30);
        assertEquals("200", up.out(), up.stderr());
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(got)), "the chunked upload came back intact");

        Processes.Result expect = Processes.run(List.of("curl", "-sS", "-H", "Expect: 100-continue",
                "--data-binary", "@" + file, "-o", got.toString(), "-w", "%{http_code}", base + "/echo"), 30);
        assertEquals("200", expect.out(), expect.stderr());
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(got)));

        Processes.Result old = Processes.run(List.of("curl", "-sS", "--http1.0", "-i", base + "/hello"), 30);
        assertTrue(old.out().startsWith("HTTP/1.1 200 OK"), old.out());
        assertTrue(old.out().toLowerCase().contains("connection: close"), old.out());
        assertTrue(old.out().endsWith("\r\n\r\nhello"), old.out());
    }

    @Test
    void abWithKeepAliveCompletesEveryRequestOnKeptConnections() throws Exception {
        Tools.require("apache2-utils", "ab");
        Processes.Result r = Processes.run(List.of("ab", "-q", "-k", "-n", "5000", "-c", "20", base + "/hello"), 60);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("5000", field(r.out(), "Complete requests:\\s+(\\d+)"), r.out());
        assertEquals("0", field(r.out(), "Failed requests:\\s+(\\d+)"), r.out());
        assertEquals("5000", field(r.out(), "Keep-Alive requests:\\s+(\\d+)"), r.out());
        assertTrue(clientPorts.size() <= 20, "ab used " + clientPorts.size() + " connections for 20 concurrent clients");
    }

    @Test
    void wrkWithSixteenPipelinedRequestsPerWriteGetsEveryResponse() throws Exception {
        Tools.require("wrk", "wrk");
        Path script = dir.resolve("pipeline.lua");
        try (var in = getClass().getResourceAsStream("/clients/pipeline.lua")) {
            Files.write(script, in.readAllBytes());
        }
        Processes.Result r = Processes.run(List.of("wrk", "-t1", "-c10", "-d2s", "-s", script.toString(),
                base + "/hello"), 60);
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(!r.out().contains("Socket errors") && !r.out().contains("Non-2xx"), r.out());
        long done = Long.parseLong(field(r.out(), "(\\d+) requests in"));
        assertTrue(done >= 1_000, r.out());
        assertTrue(requests.get() >= done, "the server handled " + requests.get() + " of " + done);
    }

    @Test
    void pythonHttpClientAndRawMalformedRequests() throws Exception {
        Tools.require("python3", "python3");
        Path script = dir.resolve("http_clients.py");
        try (var in = getClass().getResourceAsStream("/clients/http_clients.py")) {
            Files.write(script, in.readAllBytes());
        }
        Processes.Result r = Processes.run(List.of("python3", script.toString(),
                Integer.toString(server.getAddress().getPort())), 60);
        assertEquals(0, r.exit(), r.out() + r.stderr());
        assertEquals(0, smuggled.get());
        assertTrue(r.out().lines().count() >= 16, r.out());
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "(not found in output)";
    }
}
