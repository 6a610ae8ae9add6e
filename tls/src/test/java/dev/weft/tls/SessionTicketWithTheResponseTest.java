package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TLS 1.3 client sends its request right behind its Finished (issue 28): the server's session
 * tickets then wait and go out with the first response, in one write (one system call and one
 * wake-up of the client less per connection, as Netty's {@code SslHandler} does by flushing once
 * per read), and before the server waits for more input if it reads on without answering.
 */
@org.junit.jupiter.api.Timeout(60)
class SessionTicketWithTheResponseTest {
    private static final byte[] REQUEST = "hello".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get();
    }

    @Test
    void theTicketsWaitForTheFirstResponseAndGoOutWithIt() throws Exception {
        CompletableFuture<Boolean> waitingAfterRequest = new CompletableFuture<>();
        CompletableFuture<Boolean> waitingAfterResponse = new CompletableFuture<>();
        Reply reply = serve(socket -> {
            readRequest(socket);
            waitingAfterRequest.complete(socket.outputWaiting());
            socket.writeAll(ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)));
            waitingAfterResponse.complete(socket.outputWaiting());
            readUntilTheClientCloses(socket);
        }, true);
        assertTrue(waitingAfterRequest.getNow(false), "the tickets waited while the handler read the request");
        assertFalse(waitingAfterResponse.getNow(true), "the response took them out");
        assertEquals("world", reply.plaintext);
        assertTrue(reply.tickets > 0, "the client received the server's session tickets");
        assertEquals(1, reply.reads, "tickets and response arrived together (one write)");
    }

    @Test
    void theTicketsGoOutBeforeTheServerWaitsForMoreInput() throws Exception {
        Reply reply = serve(socket -> {
            readRequest(socket);
            readUntilTheClientCloses(socket); // no answer: waits for more
        }, false);
        assertTrue(reply.tickets > 0, "the client received the tickets without any response (it waited at most 10 s)");
        assertEquals("", reply.plaintext);
    }

    /** What the client received: plaintext, the records that carried none (the tickets), TCP reads. */
    private record Reply(String plaintext, int tickets, int reads) {
    }

    private static void readRequest(TlsSocket socket) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(REQUEST.length);
        while (got.hasRemaining()) {
            if (socket.read(got) < 0) {
                throw new IOException("the client closed before its request");
            }
        }
    }

    private static void readUntilTheClientCloses(TlsSocket socket) throws IOException {
        try {
            socket.read(ByteBuffer.allocate(16));
        } catch (TlsTruncatedException expected) {
            // the client closes TCP without close_notify
        }
    }

    /**
     * Serves one connection with {@code handler} on a new hub; a client on a plain thread does a TLS
     * 1.3 handshake whose Finished and request go out in one write, then reads until it has the
     * response ({@code wantResponse}) or a ticket.
     */
    private static Reply serve(TlsConnectionHandler handler, boolean wantResponse) throws Exception {
        return Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).protocols("TLSv1.3").build();
            StreamServer s = StreamServer.builder(tls.handler(handler)).bind("127.0.0.1", 0).start();
            try {
                return ThreadPool.offload(() -> client(s.port(), wantResponse));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
    }

    private static Reply client(int port, boolean wantResponse) throws Exception {
        SSLEngine engine = TestPki.get().clientContext().createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        engine.setSSLParameters(p);
        ByteBuffer netOut = ByteBuffer.allocate(1 << 16);
        ByteBuffer netIn = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            engine.beginHandshake();
            while (true) { // the handshake, up to the client's Finished
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_WRAP) {
                    engine.wrap(ByteBuffer.allocate(0), netOut);
                    if (engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
                        break;
                    }
                } else if (hs == HandshakeStatus.NEED_TASK) {
                    engine.getDelegatedTask().run();
                } else if (hs == HandshakeStatus.NEED_UNWRAP) {
                    send(socket, netOut);
                    if (unwrap(engine, netIn, app).bytesConsumed() == 0) {
                        receive(in, netIn);
                    }
                } else {
                    throw new AssertionError("unexpected handshake status " + hs);
                }
            }
            engine.wrap(ByteBuffer.wrap(REQUEST), netOut);
            send(socket, netOut); // Finished and request in one write
            int tickets = 0;
            int reads = 0;
            while (wantResponse ? app.position() == 0 : tickets == 0) {
                SSLEngineResult r = unwrap(engine, netIn, app);
                if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() > 0) {
                    if (r.bytesProduced() == 0) {
                        tickets++;
                    }
                    continue;
                }
                receive(in, netIn);
                reads++;
            }
            return new Reply(new String(app.array(), 0, app.position(), StandardCharsets.US_ASCII), tickets, reads);
        }
    }

    private static SSLEngineResult unwrap(SSLEngine engine, ByteBuffer netIn, ByteBuffer app) throws IOException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, app);
        } finally {
            netIn.compact();
        }
    }

    private static void send(Socket socket, ByteBuffer netOut) throws IOException {
        netOut.flip();
        socket.getOutputStream().write(netOut.array(), 0, netOut.limit());
        netOut.clear();
    }

    private static void receive(InputStream in, ByteBuffer netIn) throws IOException {
        int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
        if (n < 0) {
            throw new IOException("the server closed the connection");
        }
        netIn.position(netIn.position() + n);
    }
}
