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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClientHellos larger than the first read buffer (2,048 bytes): a resumed mutual-TLS session (its
 * ticket carries the client's certificate chain), a long ALPN list; and one over the JDK's own
 * handshake-message limit, refused with a message that says so. Real curl and openssl clients.
 */
@org.junit.jupiter.api.Timeout(180)
class LargeClientHelloTest {
    private final List<IOException> failures = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tools() throws Exception {
        Tools.require("curl", "curl");
        Tools.require("openssl", "openssl");
        TestPki.get();
    }

    /** Answers one HTTP request per connection with the client certificate's subject and the TLS version. */
    private StreamServer server(boolean needClientAuth) throws Exception {
        TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).applicationProtocols("http/1.1")
                .parameters((p, name, peer) -> p.setNeedClientAuth(needClientAuth))
                .onHandshakeFailure((peer, e) -> failures.add(e)).build();
        return StreamServer.builder(tls.handler(sock -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.US_ASCII));
            String request = r.readLine();
            for (String h = r.readLine(); h != null && !h.isEmpty(); h = r.readLine()) {
                // headers
            }
            String who = needClientAuth ? ((java.security.cert.X509Certificate) sock.session().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName() : "anonymous";
            byte[] body = (request + " from " + who + " over " + sock.protocol() + " alpn " + sock.applicationProtocol() + "\n").getBytes(StandardCharsets.US_ASCII);
            sock.writeAll(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            sock.writeAll(body);
        })).start();
    }

    @Test
    void curlWithAClientCertificateResumesOnEveryLaterConnection() throws Exception {
        String pem = TestPki.get().pem(TestPki.get().clientP12).toString();
        for (String version : List.of("1.3", "1.2")) {
            Processes.Result run = Hub.run(() -> {
                StreamServer s = server(true);
                String url = "https://localhost:" + s.port() + "/";
                try {
                    return ThreadPool.offload(() -> Processes.run(List.of("curl", "-sS", "-v", "--max-time", "60",
                            "--tlsv" + version, "--tls-max", version, "--cacert", TestPki.get().caPem.toString(),
                            "--cert", pem, url + "one", url + "two", url + "three"), null, 90));
                } finally {
                    s.stop(Duration.ofSeconds(5));
                }
            });
            assertEquals(0, run.exit(), run.stderr());
            String tls = "TLSv" + version;
            assertEquals("GET /one HTTP/1.1 from CN=client.test over " + tls + " alpn http/1.1\n"
                    + "GET /two HTTP/1.1 from CN=client.test over " + tls + " alpn http/1.1\n"
                    + "GET /three HTTP/1.1 from CN=client.test over " + tls + " alpn http/1.1\n", run.out());
            assertEquals(2, count(run.stderr(), "SSL re-using session ID"),
                    "the second and third connections offered the session: " + run.stderr());
            assertEquals(List.of(), failures);
        }
    }

    @Test
    void opensslWithALongAlpnListIsServed() throws Exception {
        String alpn = alpnList(40, 100) + ",http/1.1"; // about 4 KiB of protocol names
        Processes.Result r = Hub.run(() -> {
            StreamServer s = server(false);
            try {
                return ThreadPool.offload(() -> Processes.run(sClient(s.port(), "-alpn", alpn),
                        "GET /alpn HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 60));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.out().contains("GET /alpn HTTP/1.1 from anonymous over TLSv1.3 alpn http/1.1"), r.out() + r.stderr());
        assertEquals(List.of(), failures);
    }

    @Test
    void aHelloOverTheJdksHandshakeMessageLimitIsRefusedSayingSo() throws Exception {
        String alpn = alpnList(200, 200) + ",http/1.1"; // about 40 KiB: over jdk.tls.maxHandshakeMessageSize (32 KiB)
        Processes.Result r = Hub.run(() -> {
            StreamServer s = server(false);
            try {
                return ThreadPool.offload(() -> Processes.run(sClient(s.port(), "-alpn", alpn), new byte[0], 60));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertTrue(r.exit() != 0, "s_client failed: " + r.out());
        assertEquals(1, failures.size(), failures.toString());
        String message = failures.get(0).getMessage();
        assertTrue(message.contains("a ClientHello of ") && message.contains("jdk.tls.maxHandshakeMessageSize"), message);
    }

    private static List<String> sClient(int port, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-CAfile", TestPki.get().caPem.toString(), "-verify_return_error", "-brief",
                "-ign_eof"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    /** {@code count} protocol names of {@code length} letters each, comma-separated (openssl's -alpn syntax). */
    private static String alpnList(int count, int length) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(String.valueOf((char) ('a' + i % 26)).repeat(length - 4) + String.format("%04d", i));
        }
        return String.join(",", names);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
