package dev.weft.tls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.Test;

/** The ClientHello reader on real JDK ClientHellos, cut and split every way, and on garbage. */
class ClientHelloTest {
    private static byte[] hello(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine e = ctx.createSSLEngine(sni == null ? "127.0.0.1" : sni, 443);
        e.setUseClientMode(true);
        if (sni != null) {
            SSLParameters p = e.getSSLParameters();
            p.setServerNames(java.util.List.of(new SNIHostName(sni)));
            e.setSSLParameters(p);
        }
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        byte[] b = new byte[out.flip().remaining()];
        out.get(b);
        return b;
    }

    @Test
    void findsTheServerNameOnlyWhenTheWholeHelloIsThere() throws Exception {
        byte[] h = hello("API.Example.org");
        for (int cut = 0; cut < h.length; cut++) {
            assertInstanceOf(ClientHello.NeedMore.class, ClientHello.parse(ByteBuffer.wrap(h, 0, cut)), "cut at " + cut);
        }
        ClientHello.Result r = ClientHello.parse(ByteBuffer.wrap(h));
        assertEquals(new ClientHello.Hello("api.example.org"), r);
        assertEquals(new ClientHello.Hello(null), ClientHello.parse(ByteBuffer.wrap(hello(null))));
    }

    @Test
    void aHelloSplitOverSeveralRecordsIsReassembled() throws Exception {
        byte[] h = hello("split.test");
        byte[] body = java.util.Arrays.copyOfRange(h, 5, h.length);
        ByteBuffer split = ByteBuffer.allocate(body.length + 5 * body.length);
        for (int i = 0; i < body.length; i += 7) { // records of 7 handshake bytes each
            int n = Math.min(7, body.length - i);
            split.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) n).put(body, i, n);
        }
        assertEquals(new ClientHello.Hello("split.test"), ClientHello.parse(split.flip()));
    }

    @Test
    void plaintextAndGarbageAreNotTls() {
        ClientHello.Result http = ClientHello.parse(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(new ClientHello.NotTls("plaintext HTTP 'GET / HTTP/1.1\\r\\nHost: x\\r...'", true), http);
        ClientHello.Result smtp = ClientHello.parse(ByteBuffer.wrap("EHLO me\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertInstanceOf(ClientHello.NotTls.class, smtp);
        assertTrue(((ClientHello.NotTls) smtp).reason().startsWith("plaintext 'EHLO"), smtp.toString());
        ClientHello.Result badLength = ClientHello.parse(ByteBuffer.wrap(new byte[] {22, 3, 1, (byte) 0xff, (byte) 0xff}));
        assertInstanceOf(ClientHello.NotTls.class, badLength);
        ClientHello.Result notAHello = ClientHello.parse(ByteBuffer.wrap(new byte[] {22, 3, 1, 0, 4, 2, 0, 0, 0}));
        assertInstanceOf(ClientHello.NotTls.class, notAHello);
    }

    @Test
    void aHelloDeclaringMoreThanTheJdksHandshakeLimitIsTooLargeAtOnce() {
        int declared = ClientHello.MAX_HELLO + 1;
        ByteBuffer head = ByteBuffer.allocate(9).put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) 4)
                .put((byte) 1).put((byte) (declared >>> 16)).put((byte) (declared >>> 8)).put((byte) declared);
        assertEquals(new ClientHello.TooLarge(declared), ClientHello.parse(head.flip()));
        assertEquals(32_768, ClientHello.MAX_HELLO, "the JDK's default jdk.tls.maxHandshakeMessageSize");
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(300)];
            r.nextBytes(b);
            if (b.length > 0 && r.nextBoolean()) {
                b[0] = 22; // a handshake record header followed by junk
                if (b.length > 2) {
                    b[1] = 3;
                }
            }
            ClientHello.parse(ByteBuffer.wrap(b)); // any answer, no exception
        }
    }
}
