package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23 item 15: a {@link FiberSocket} is usable from any thread. Made on a thread that runs no hub
 * (as a pool's own thread makes it), it is cooperative in any hub's fiber; made in a fiber, it still
 * works from a plain thread (a pool's housekeeping) and from another hub's fiber.
 */
@org.junit.jupiter.api.Timeout(60)
class FiberSocketAnyThreadTest {
    private ServerSocket server;
    private Thread acceptor;

    /** A JDK echo server on its own threads: echoes each line after {@code delayMillis} (the first number of the line). */
    @BeforeEach
    void startEchoServer() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> echo(s), "echo");
                    t.setDaemon(true);
                    t.start();
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void echo(Socket s) {
        try (s; var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream()) {
            for (String line; (line = in.readLine()) != null; ) {
                Thread.sleep(Long.parseLong(line.split(" ")[0]));
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception ignored) {
            // the client went away
        }
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5000);
    }

    private static String roundTrip(Socket s, String line) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            assertTrue(c >= 0, "end of stream after " + sb);
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void socketsMadeOnAPlainThreadAreCooperativeInAHubsFibers() throws Exception {
        FiberSocketFactory factory = new FiberSocketFactory();
        Socket[] sockets = new Socket[5];
        for (int i = 0; i < sockets.length; i++) {
            sockets[i] = factory.createSocket("127.0.0.1", server.getLocalPort()); // this thread runs no hub
            assertInstanceOf(FiberSocket.class, sockets[i]);
        }
        double seconds = Hub.run(() -> {
            int[] ticks = {0};
            Fiber<Void> ticker = Fiber.spawn(() -> {
                while (true) {
                    Fiber.sleep(10);
                    ticks[0]++;
                }
            });
            long start = System.nanoTime();
            java.util.List<Fiber<String>> fibers = new java.util.ArrayList<>();
            for (Socket s : sockets) {
                fibers.add(Fiber.spawn(() -> roundTrip(s, "500 hello")));
            }
            for (Fiber<String> f : fibers) {
                assertEquals("500 hello", f.get(Duration.ofSeconds(10)));
            }
            double s = (System.nanoTime() - start) / 1e9;
            assertTrue(ticks[0] >= 20, "the hub ran other fibers meanwhile: " + ticks[0] + " ticks");
            ticker.kill();
            return s;
        });
        assertTrue(seconds >= 0.5 && seconds < 2.0, "5 round trips of 0.5 s each at once took " + seconds + " s (serial: 2.5 s)");
        // and the plain thread may still use them, blocking, as a JDK socket
        assertEquals("0 again", roundTrip(sockets[0], "0 again"));
        sockets[0].setSoTimeout(100);
        sockets[0].getOutputStream().write("300 late\n".getBytes(StandardCharsets.UTF_8));
        assertThrows(SocketTimeoutException.class, () -> sockets[0].getInputStream().read());
        sockets[0].setSoTimeout(0);
        assertEquals('3', sockets[0].getInputStream().read(), "nothing was lost by the timeout");
        for (Socket s : sockets) {
            s.close();
            assertTrue(s.isClosed());
        }
    }

    @Test
    void aSocketMadeInAFiberWorksFromAPlainThreadAndFromAnotherHubsFiber() throws Exception {
        CompletableFuture<Socket> made = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread owner = new Thread(() -> {
            try {
                Hub.run(() -> {
                    Socket s = new FiberSocketFactory().createSocket("127.0.0.1", server.getLocalPort());
                    made.complete(s);
                    Fiber.await(done); // the owner hub keeps running: it carries out the others' calls
                });
            } catch (Exception e) {
                made.completeExceptionally(e);
            }
        }, "owner-hub");
        owner.start();
        Socket s = made.get(10, TimeUnit.SECONDS);
        try {
            assertEquals("0 from a plain thread", roundTrip(s, "0 from a plain thread"));
            String fromOtherHub = Hub.run(() -> {
                int[] ticks = {0};
                Fiber<Void> ticker = Fiber.spawn(() -> {
                    while (true) {
                        Fiber.sleep(10);
                        ticks[0]++;
                    }
                });
                String got = roundTrip(s, "300 from another hub");
                assertTrue(ticks[0] >= 10, "this hub ran its other fibers meanwhile: " + ticks[0]);
                // a fiber killed while its read waits on the owner hub: the read ends at once, nothing is lost
                s.getOutputStream().write("400 after a kill\n".getBytes(StandardCharsets.UTF_8));
                Fiber<Integer> reader = Fiber.spawn(() -> s.getInputStream().read());
                Fiber.sleep(100);
                reader.kill();
                assertTrue(reader.join(Duration.ofSeconds(5)));
                assertEquals(FiberState.KILLED, reader.state());
                StringBuilder sb = new StringBuilder();
                for (int c; (c = s.getInputStream().read()) != '\n'; ) {
                    sb.append((char) c);
                }
                assertEquals("400 after a kill", sb.toString());
                ticker.kill();
                return got;
            });
            assertEquals("300 from another hub", fromOtherHub);
        } finally {
            s.close();
            done.complete(null);
            owner.join(10_000);
        }
    }

    @Test
    void onAHubThreadOutsideAnyFiberConnectingIsRefused() throws Exception {
        Hub.run(() -> {
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Hub.current().loop().execute(() -> {
                try {
                    new FiberSocketFactory().createSocket("127.0.0.1", server.getLocalPort());
                    failure.complete(null);
                } catch (Throwable t) {
                    failure.complete(t);
                }
            });
            Throwable t = Fiber.await(failure);
            assertInstanceOf(NotInFiberException.class, t);
            assertTrue(t.getMessage().contains("outside any fiber"), t.getMessage());
        });
    }
}
