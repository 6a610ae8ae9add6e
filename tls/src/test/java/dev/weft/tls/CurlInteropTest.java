package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.Processes;
import dev.weft.testkit.TestPki;
import dev.weft.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code curl --cacert} (libcurl with OpenSSL 3) against a Weft HTTPS server, on the backend under test. */
@org.junit.jupiter.api.Timeout(180)
class CurlInteropTest {
    private final List<IOException> failures = new CopyOnWriteArrayList<>();
    private final List<String> endedBeforeRequest = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tools() throws Exception {
        Tools.require("curl", "curl");
        TestPki.get();
    }

    /** The smallest HTTP/1.1 server: one request per connection; {@code /big} is 64 MiB of {@link OpenSslInteropTest#pattern}. */
    private StreamServer https(byte[] big) throws Exception {
        TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).applicationProtocols("http/1.1")
                .onHandshakeFailure((peer, e) -> failures.add(e)).build();
        return StreamServer.builder(tls.handler(sock -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.US_ASCII));
            String request = r.readLine();
            if (request == null) { // the client left after the handshake (curl refusing the certificate does)
                endedBeforeRequest.add(sock.protocol() + (sock.isInputShutdown() ? " close_notify" : " no close_notify"));
                return;
            }
            for (String h = r.readLine(); h != null && !h.isEmpty(); h = r.readLine()) {
                // headers
            }
            byte[] body = request.startsWith("GET /big ") ? big
                    : ("hello from weft over " + sock.protocol() + " alpn " + sock.applicationProtocol() + "\n")
                            .getBytes(StandardCharsets.US_ASCII);
            sock.writeAll(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            sock.writeAll(body);
        })).start();
    }

    private static List<String> curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "--cacert", TestPki.get().caPem.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void curlOnTls13AndTls12WithAlpnAndA64MiBDownload() throws Exception {
        byte[] big = OpenSslInteropTest.pattern(OpenSslInteropTest.BIG);
        Path file = TestPki.get().dir.resolve("curl-big.bin");
        List<Processes.Result> runs = Hub.run(() -> {
            StreamServer s = https(big);
            String url = "https://localhost:" + s.port() + "/";
            try {
                return ThreadPool.offload(() -> List.of(
                        Processes.run(curl("--tlsv1.3", "-w", "%{http_version}", url), null, 90),
                        Processes.run(curl("--tlsv1.2", "--tls-max", "1.2", "-w", "%{http_version}", url), null, 90),
                        Processes.run(curl("-o", file.toString(), url + "big"), null, 90)));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(0, runs.get(0).exit(), runs.get(0).stderr());
        assertEquals("hello from weft over TLSv1.3 alpn http/1.1\n1.1", runs.get(0).out());
        assertEquals(0, runs.get(1).exit(), runs.get(1).stderr());
        assertEquals("hello from weft over TLSv1.2 alpn http/1.1\n1.1", runs.get(1).out());
        assertEquals(0, runs.get(2).exit(), runs.get(2).stderr());
        assertEquals(OpenSslInteropTest.sha256(big), OpenSslInteropTest.sha256(Files.readAllBytes(file)));
        Files.delete(file);
        assertEquals(List.of(), failures);
        assertEquals(List.of(), endedBeforeRequest);
    }

    @Test
    void curlRefusesAWrongHostNameAndThePlaintextCurlIsToldToUseHttps() throws Exception {
        List<Processes.Result> runs = Hub.run(() -> {
            StreamServer s = https(new byte[0]);
            int port = s.port();
            try {
                return ThreadPool.offload(() -> List.of(
                        Processes.run(curl("--resolve", "wrong.test:" + port + ":127.0.0.1", "https://wrong.test:" + port + "/"), null, 90),
                        Processes.run(curl("-w", "%{http_code}", "http://127.0.0.1:" + port + "/"), null, 90),
                        Processes.run(curl("https://localhost:" + port + "/"), null, 90)));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        Processes.Result wrong = runs.get(0);
        assertEquals(60, wrong.exit(), "curl's 'peer certificate cannot be authenticated': " + wrong.stderr());
        assertTrue(wrong.stderr().contains("wrong.test"), wrong.stderr());
        Processes.Result plain = runs.get(1);
        assertEquals(0, plain.exit(), plain.stderr());
        assertEquals("Client sent an HTTP request to an HTTPS server.\n400", plain.out());
        Processes.Result after = runs.get(2);
        assertEquals(0, after.exit(), "the server is unharmed: " + after.stderr());
        assertTrue(after.out().startsWith("hello from weft over TLSv1.3"), after.out());
        // curl checks the host name after the TLS handshake, then sends close_notify: the server's handler
        // sees the stream end before a request (and on TLS 1.3 the JDK's server engine finishes its side
        // after sending its Finished anyway). Only the plaintext client is a failed handshake.
        assertEquals(List.of("TLSv1.3 close_notify"), endedBeforeRequest);
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).getMessage().contains("is not speaking TLS: it sent plaintext HTTP 'GET / HTTP/1.1"),
                failures.get(0).getMessage());
    }
}
