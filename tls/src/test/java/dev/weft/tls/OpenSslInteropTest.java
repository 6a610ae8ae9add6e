package dev.weft.tls;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.OpenSslServer;
import dev.weft.testkit.Processes;
import dev.weft.testkit.TestPki;
import dev.weft.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Weft's TLS against peers nobody here wrote: {@code openssl s_client} and {@code s_server} (OpenSSL
 * 3), on TLS 1.3 and 1.2, on the backend under test.
 */
@org.junit.jupiter.api.Timeout(180)
class OpenSslInteropTest {
    static final int BIG = 64 * 1024 * 1024;
    private final List<Throwable> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tools() throws Exception {
        Tools.require("openssl", "openssl");
        TestPki.get();
    }

    private static List<String> sClient(int port, String version, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-verify_hostname", "localhost", "-CAfile", TestPki.get().caPem.toString(),
                "-verify_return_error", version.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    /** Deterministic bytes (a linear congruential generator), so both sides can check them. */
    static byte[] pattern(int size) {
        byte[] b = new byte[size];
        long x = 42;
        for (int i = 0; i < size; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            b[i] = (byte) (x >>> 56);
        }
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void opensslClientHandshakesWithWeftServerOnTls13AndTls12() throws Exception {
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            Processes.Result r = Hub.run(() -> {
                TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).applicationProtocols("http/1.1").build();
                StreamServer s = StreamServer.builder(tls.handler(sock -> {
                    String line = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.UTF_8)).readLine();
                    sock.writeAll(("weft got '" + line + "' over " + sock.protocol() + " alpn " + sock.applicationProtocol()
                            + "\n").getBytes(StandardCharsets.UTF_8));
                })).start();
                try {
                    return ThreadPool.offload(() -> Processes.run(sClient(s.port(), version, "-brief", "-ign_eof", "-alpn",
                            "http/1.1"), "hello\n".getBytes(StandardCharsets.UTF_8), 60));
                } finally {
                    s.stop(Duration.ofSeconds(5));
                }
            });
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.out().contains("weft got 'hello' over " + version + " alpn http/1.1"), r.out() + r.stderr());
            assertTrue(r.stderr().contains("Protocol version: " + version), r.stderr());
            assertTrue(r.stderr().contains("Verification: OK"), r.stderr());
        }
    }

    @Test
    void sixtyFourMebibytesEachWayWithChecksums() throws Exception {
        byte[] data = pattern(BIG);
        String expected = sha256(data);
        // openssl s_client uploads 64 MiB to Weft over TLS 1.3; Weft hashes what it read.
        String[] upload = new String[1];
        Processes.Result up = Hub.run(() -> {
            StreamServer s = StreamServer.builder(TlsServer.of(TestPki.get().serverContext()).handler(sock -> {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                long total = 0;
                while (total < BIG) { // s_client -quiet waits for us to close after its input ends
                    int n = sock.read(buf.clear().limit((int) Math.min(buf.capacity(), BIG - total)));
                    if (n < 0) {
                        break;
                    }
                    md.update(buf.array(), 0, n);
                    total += n;
                }
                upload[0] = total + " " + HexFormat.of().formatHex(md.digest());
                sock.writeAll("done\n".getBytes(StandardCharsets.US_ASCII));
            })).start();
            try {
                return ThreadPool.offload(() -> Processes.run(sClient(s.port(), "TLSv1.3", "-quiet"), data, 120));
            } finally {
                s.stop(Duration.ofSeconds(10));
            }
        });
        assertEquals(0, up.exit(), up.stderr());
        assertEquals(BIG + " " + expected, upload[0], "Weft read exactly what openssl sent");

        // Weft sends 64 MiB to openssl s_client over TLS 1.2 and closes with close_notify; s_client's output is hashed.
        Processes.Result down = Hub.run(() -> {
            StreamServer s = StreamServer.builder(TlsServer.of(TestPki.get().serverContext()).handler(sock -> {
                sock.writeAll(data);
            })).start();
            try {
                return ThreadPool.offload(() -> Processes.run(sClient(s.port(), "TLSv1.2", "-quiet"), null, 120));
            } finally {
                s.stop(Duration.ofSeconds(10));
            }
        });
        assertEquals(0, down.exit(), down.stderr());
        assertEquals(BIG, down.stdout().length, "s_client received all of it");
        assertEquals(expected, sha256(down.stdout()));
    }

    @Test
    void weftClientAgainstOpensslServerOnBothVersionsWithAlpnAndHostnameVerification() throws Exception {
        Path pem = TestPki.get().pem(TestPki.get().localhostP12);
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            try (var server = OpenSslServer.start(pem, "-rev", "-alpn", "http/1.1",
                    version.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2")) {
                List<String> got = Hub.run(() -> {
                    TlsClient c = TlsClient.builder(TestPki.get().clientContext()).applicationProtocols("h2", "http/1.1").build();
                    try (TlsSocket sock = c.connect("localhost", server.port(), Duration.ofSeconds(5))) {
                        sock.writeAll("hello openssl\n".getBytes(StandardCharsets.US_ASCII));
                        String line = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.US_ASCII)).readLine();
                        return List.of(line, sock.protocol(), String.valueOf(sock.applicationProtocol()));
                    }
                });
                assertEquals(List.of("lssnepo olleh", version, "http/1.1"), got);
            }
        }
    }

    @Test
    void weftClientRefusesAnOpensslServerWithAnotherHostsCertificate() throws Exception {
        Path pem = TestPki.get().pem(TestPki.get().otherP12);
        try (var server = OpenSslServer.start(pem, "-rev")) {
            SSLHandshakeException e = Hub.run(() -> assertThrows(SSLHandshakeException.class,
                    () -> TlsClient.of(TestPki.get().clientContext()).connect("localhost", server.port(), Duration.ofSeconds(5))));
            assertTrue(e.getMessage().contains("does not name the host"), e.getMessage());
        }
    }

    @Test
    void aStalledOpensslServerTimesTheHandshakeOut() throws Exception {
        Path pem = TestPki.get().pem(TestPki.get().localhostP12);
        try (var server = OpenSslServer.start(pem, "-rev")) {
            long pid = server.process().pid();
            Processes.run(List.of("kill", "-STOP", String.valueOf(pid)), null, 10); // accepts in the kernel, answers nothing
            try {
                long[] millis = new long[1];
                SocketTimeoutException e = Hub.run(() -> {
                    TlsClient c = TlsClient.builder(TestPki.get().clientContext()).handshakeTimeout(Duration.ofMillis(500)).build();
                    long start = System.nanoTime();
                    try {
                        return assertThrows(SocketTimeoutException.class, () -> c.connect("localhost", server.port(), Duration.ofSeconds(5)));
                    } finally {
                        millis[0] = (System.nanoTime() - start) / 1_000_000;
                    }
                });
                assertTrue(e.getMessage().contains("did not finish within 500 ms"), e.getMessage());
                assertTrue(millis[0] >= 450 && millis[0] < 5_000, millis[0] + " ms");
            } finally {
                Processes.run(List.of("kill", "-CONT", String.valueOf(pid)), null, 10);
            }
        }
    }

    @Test
    void anOpensslClientKilledMidConnectionIsATruncationNotAnEnd() throws Exception {
        Hub.run(() -> {
            Event ended = new Event();
            Event gotData = new Event();
            StreamServer s = StreamServer.builder(TlsServer.of(TestPki.get().serverContext()).handler(sock -> {
                try {
                    java.io.InputStream in = sock.inputStream();
                    int first = in.read();
                    gotData.set();
                    if (first >= 0) {
                        in.readAllBytes();
                    }
                    seen.add(new AssertionError("read ended cleanly"));
                } catch (IOException e) {
                    seen.add(e);
                }
                ended.set();
            })).start();
            // The kill must leave nothing unread in s_client's socket, or its kernel answers with a reset
            // (a SocketException here) instead of the plain FIN a truncation is. So TLS 1.2 (1.3 servers
            // send session tickets after the handshake), and the kill only once the server has s_client's
            // data: s_client sends it only after reading the server's last handshake message.
            Process p = ThreadPool.offload(() -> new ProcessBuilder(sClient(s.port(), "TLSv1.2", "-quiet")).start());
            try {
                p.getOutputStream().write("some data\n".getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().flush();
                assertTrue(gotData.await(Duration.ofSeconds(20)), "s_client connected and sent its data");
                ThreadPool.offload(() -> {
                    p.destroyForcibly(); // SIGKILL: no close_notify
                    return p.waitFor(10, TimeUnit.SECONDS);
                });
                assertTrue(ended.await(Duration.ofSeconds(10)), "the server's read ended");
            } finally {
                p.destroyForcibly();
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(1, seen.size(), seen.toString());
        assertInstanceOf(TlsTruncatedException.class, seen.get(0));
    }

    @Test
    void aClientInitiatedTls12RenegotiationIsRefusedAndItsConnectionClosed() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Processes.Result client = Hub.run(() -> {
            Event ended = new Event();
            Event firstLine = new Event();
            StreamServer s = StreamServer.builder(TlsServer.of(TestPki.get().serverContext()).handler(sock -> {
                try {
                    BufferedReader r = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.US_ASCII));
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                        sock.writeAll(("echo " + line + "\n").getBytes(StandardCharsets.US_ASCII));
                        // after the echo is in the kernel (on io_uring the send completes a loop iteration
                        // later): s_client has it before it reads "R" and starts renegotiating
                        firstLine.set();
                    }
                } catch (IOException e) {
                    seen.add(e);
                } finally {
                    ended.set();
                }
            })).start();
            // s_client renegotiates when a line of its input is "R" (read on its own: one write per step).
            Process p = ThreadPool.offload(() -> new ProcessBuilder(sClient(s.port(), "TLSv1.2")).start());
            try {
                java.util.concurrent.CompletableFuture<byte[]> out = Processes.drain(p.getInputStream());
                BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.US_ASCII));
                StringBuilder said = new StringBuilder();
                ThreadPool.offload(() -> {
                    p.getOutputStream().write("one\n".getBytes(StandardCharsets.US_ASCII));
                    p.getOutputStream().flush();
                    return null;
                });
                assertTrue(firstLine.await(Duration.ofSeconds(30)), "the first line arrived");
                ThreadPool.offload(() -> {
                    p.getOutputStream().write("R\n".getBytes(StandardCharsets.US_ASCII));
                    p.getOutputStream().flush();
                    for (String l = err.readLine(); l != null && !l.contains("RENEGOTIATING"); l = err.readLine()) {
                        said.append(l).append('\n');
                    }
                    try {
                        p.getOutputStream().write("two\n".getBytes(StandardCharsets.US_ASCII));
                        p.getOutputStream().close();
                    } catch (IOException closedByTheServer) {
                        // s_client may have ended already
                    }
                    return p.waitFor(30, TimeUnit.SECONDS);
                });
                assertTrue(ended.await(Duration.ofSeconds(30)), "the server's handler ended");
                return new Processes.Result(p.exitValue(), out.get(), said.toString());
            } finally {
                p.destroyForcibly();
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(List.of("one"), lines, "nothing was read after the renegotiation attempt; s_client said: " + client.out());
        assertEquals(1, seen.size(), seen.toString());
        assertInstanceOf(javax.net.ssl.SSLException.class, seen.get(0));
        assertTrue(seen.get(0).getMessage().contains("refuses client-initiated renegotiation"), seen.get(0).getMessage());
        assertTrue(client.out().contains("echo one") && !client.out().contains("echo two"), client.out());
    }

    @Test
    void opensslResumesWeftServerSessionsOnBothVersions() throws Exception {
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            Path sess = TestPki.get().dir.resolve("session-" + version + ".pem");
            List<Processes.Result> runs = Hub.run(() -> {
                StreamServer s = StreamServer.builder(TlsServer.of(TestPki.get().serverContext()).handler(sock -> {
                    sock.writeAll("hi\n".getBytes(StandardCharsets.US_ASCII)); // then close: s_client -ign_eof leaves
                })).start();
                try {
                    List<Processes.Result> out = new ArrayList<>();
                    out.add(ThreadPool.offload(() -> Processes.run(sClient(s.port(), version, "-ign_eof", "-sess_out", sess.toString()),
                            new byte[0], 60)));
                    out.add(ThreadPool.offload(() -> Processes.run(sClient(s.port(), version, "-ign_eof", "-sess_in", sess.toString()),
                            new byte[0], 60)));
                    return out;
                } finally {
                    s.stop(Duration.ofSeconds(5));
                }
            });
            assertTrue(runs.get(0).out().contains("New, " + version), runs.get(0).out());
            assertTrue(runs.get(1).out().contains("Reused, " + version), "second connection resumed: " + runs.get(1).out() + runs.get(1).stderr());
        }
    }

    @Test
    void weftClientResumesSessionsWithOpensslServer() throws Exception {
        Path pem = TestPki.get().pem(TestPki.get().localhostP12);
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            try (var server = OpenSslServer.start(pem, "-www", version.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2")) {
                List<String> pages = Hub.run(() -> {
                    TlsClient c = TlsClient.of(TestPki.get().clientContext());
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        try (TlsSocket sock = c.connect("localhost", server.port(), Duration.ofSeconds(5))) {
                            sock.writeAll("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            out.add(new String(readUntilEnd(sock), StandardCharsets.US_ASCII));
                        }
                    }
                    return out;
                });
                assertTrue(pages.get(0).contains("New, " + version), pages.get(0));
                assertTrue(pages.get(1).contains("Reused, " + version), "second connection resumed: " + pages.get(1));
            }
        }
    }

    /** Reads until the peer ends the stream, with or without close_notify (s_server -www closes without it on TLS 1.2). */
    private static byte[] readUntilEnd(TlsSocket sock) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = sock.read(buf, 0, buf.length)) > 0; ) {
                all.write(buf, 0, n);
            }
        } catch (TlsTruncatedException ignored) {
            // the page is complete; HTTP/1.0 ends with the connection
        }
        return all.toByteArray();
    }

}
