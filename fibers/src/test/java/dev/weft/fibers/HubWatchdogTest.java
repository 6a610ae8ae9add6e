package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.LogCapture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The watchdog's reports, captured (not printed): what blocks the hub and what to use instead. */
@org.junit.jupiter.api.Timeout(30)
class HubWatchdogTest {
    private static final long THRESHOLD = HubWatchdog.THRESHOLD_MS;

    /** Runs {@code body} with the watchdog's log captured and kept off the console; returns the messages. */
    private static List<String> captured(ThrowingRunnable body) throws Exception {
        try (LogCapture log = LogCapture.watchdog()) {
            body.run();
            return log.messages();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void threadSleepIsNamedWithItsCallerAndTheFiberVersion() throws Exception {
        List<String> messages = captured(() -> Hub.run(() -> {
            Fiber.spawn("sleepy", () -> {
                try {
                    Thread.sleep(THRESHOLD * 3); // blocks the hub thread: exactly what the watchdog is for
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).join();
        }));
        String all = String.join("\n---\n", messages);
        assertEquals(1, messages.size(), "reported once per episode: " + all);
        assertTrue(all.contains("hub blocked for") && all.contains("'sleepy'") && all.contains("TIMED_WAITING"), all);
        assertTrue(all.contains("blocking call: java.base/java.lang.Thread.sleep"), all);
        assertTrue(all.contains("called from:   dev.weft.fibers.HubWatchdogTest"), all);
        assertTrue(all.contains("use Fiber.sleep"), all);
    }

    /**
     * Issue 23, item 12: ten stalls each shorter than the threshold (blocking queries, say) were never
     * reported. They are once they add up to the threshold within the window, with the last one's
     * stack, taken while it blocked.
     */
    @Test
    void repeatedShortStallsAreReportedOnceTheyAddUp() throws Exception {
        List<String> messages = captured(() -> Hub.run(() -> {
            Fiber.spawn("queries", () -> {
                for (int i = 0; i < 10; i++) {
                    try {
                        Thread.sleep(THRESHOLD / 2); // a "blocking query", shorter than the threshold
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Fiber.sleep(20); // the hub runs between them
                }
            }).join();
        }));
        String all = String.join("\n---\n", messages);
        assertTrue(!messages.isEmpty(), "ten short stalls of " + THRESHOLD / 2 + " ms were never reported");
        for (String m : messages) {
            assertTrue(m.startsWith("hub blocked ") && m.contains(" times for ") && m.contains("short stalls that add up"),
                    all);
            assertTrue(m.contains("'queries'") && m.contains("blocking call: java.base/java.lang.Thread.sleep"), all);
        }
        assertTrue(messages.size() <= 5, "reported once per window's worth: " + all);
    }

    @Test
    void aSingleShortStallIsNotReported() throws Exception {
        List<String> messages = captured(() -> Hub.run(() -> {
            Fiber.spawn("one-query", () -> {
                try {
                    Thread.sleep(THRESHOLD / 3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Fiber.sleep(THRESHOLD); // the watchdog sees the stall end
            }).join();
        }));
        assertEquals(List.of(), messages);
    }

    @Test
    void aPlainJdkSocketReadIsNamedAndTheSocketFactoryProposed() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> messages = captured(() -> Hub.run(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), silent.getLocalPort())) {
                    s.setSoTimeout((int) THRESHOLD * 3);
                    try {
                        s.getInputStream().read(); // a driver without the factory does exactly this
                    } catch (java.net.SocketTimeoutException expected) {
                        // the peer never writes
                    }
                }
            }));
            String all = String.join("\n---\n", messages);
            assertTrue(all.contains("a blocking java.net socket call"), all);
            assertTrue(all.contains("blocking call: java.base/java.net.Socket"), all);
            assertTrue(all.contains("dev.weft.bridges.FiberSocketFactory"), all);
        }
    }

    @Test
    void objectWaitAndFutureGetAreNamed() throws Exception {
        Object lock = new Object();
        List<String> waits = captured(() -> Hub.run(() -> {
            synchronized (lock) {
                lock.wait(THRESHOLD * 3);
            }
        }));
        String w = String.join("\n---\n", waits);
        assertTrue(w.contains("Object.wait") && w.contains("dev.weft.bridges.ConnectionPool"), w);
        List<String> futures = captured(() -> Hub.run(() -> {
            try {
                new CompletableFuture<String>().get(THRESHOLD * 3, TimeUnit.MILLISECONDS);
            } catch (TimeoutException expected) {
                // nobody completes it
            }
        }));
        String f = String.join("\n---\n", futures);
        assertTrue(f.contains("waiting for a Future") && f.contains("Fiber.await(stage)"), f);
    }

    @Test
    void aDriverFrameAndTheApplicationAboveItAreBothNamed() {
        StackTraceElement[] stack = {
            new StackTraceElement("sun.nio.ch.Net", "poll", "Net.java", -2),
            new StackTraceElement("sun.nio.ch.NioSocketImpl", "park", "NioSocketImpl.java", 191),
            new StackTraceElement("java.net.Socket$SocketInputStream", "read", "Socket.java", 1099),
            new StackTraceElement("org.postgresql.core.VisibleBufferedInputStream", "readMore", "VisibleBufferedInputStream.java", 192),
            new StackTraceElement("org.postgresql.jdbc.PgStatement", "executeQuery", "PgStatement.java", 245),
            new StackTraceElement("dev.weft.fibers.Fiber", "body", "Fiber.java", 527),
            new StackTraceElement("com.example.Orders", "load", "Orders.java", 42),
        };
        BlockingCall call = BlockingCall.of(stack, Thread.State.RUNNABLE);
        assertEquals(BlockingCall.Kind.SOCKET, call.kind());
        assertEquals("java.net.Socket$SocketInputStream", call.jdkFrame().getClassName());
        assertEquals("readMore", call.caller().getMethodName());
        assertEquals("com.example.Orders", call.origin().getClassName());
        String text = call.describe();
        assertTrue(text.contains("socketFactory=dev.weft.bridges.FiberSocketFactory"), text);
        assertTrue(text.contains("PostgreSQL JDBC driver"), text);
        StackTraceElement[] handshake = {
            new StackTraceElement("sun.security.provider.SHA", "implCompress0", "SHA.java", 154),
            new StackTraceElement("sun.security.ssl.SSLSocketImpl", "startHandshake", "SSLSocketImpl.java", 426),
            new StackTraceElement("org.postgresql.ssl.MakeSSL", "convert", "MakeSSL.java", 51),
            new StackTraceElement("dev.weft.bridges.FiberSocket", "read", "FiberSocket.java", 1),
        };
        BlockingCall tls = BlockingCall.of(handshake, Thread.State.RUNNABLE);
        assertEquals(BlockingCall.Kind.TLS, tls.kind(), "a handshake computing, not a blocked socket");
        assertTrue(!tls.describe().contains("without Weft's socket factory"), tls.describe());
        StackTraceElement[] computing = {new StackTraceElement("com.example.Math", "fib", "Math.java", 3)};
        assertEquals(BlockingCall.Kind.COMPUTING, BlockingCall.of(computing, Thread.State.RUNNABLE).kind());
        assertTrue(BlockingCall.of(computing, Thread.State.RUNNABLE).describe().contains("Fiber.yield()"));
    }

    private static final Object MONITOR = new Object();

    /**
     * JDK 24+: a fiber that switches inside {@code synchronized} keeps the monitor, and a second
     * fiber entering it blocks the hub thread for good. The hub cannot recover, so it runs on a
     * throw-away daemon thread; the test checks that the watchdog names the cause and the holder.
     */
    @Test
    void aMonitorHeldAcrossASwitchIsReportedWithItsHolder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 24,
                "on JDK 21-23 synchronized pins, and the switch fails with FiberPinnedException instead");
        Thread[] hubThread = new Thread[1];
        List<String> messages;
        try (LogCapture log = LogCapture.watchdog()) {
            hubThread[0] = new Thread(() -> {
                try {
                    Hub.run(() -> {
                        Fiber.spawn("holder", () -> {
                            synchronized (MONITOR) {
                                Fiber.sleep(60_000);
                            }
                        });
                        Fiber.spawn("second", () -> {
                            synchronized (MONITOR) {
                                return "never";
                            }
                        });
                        Fiber.sleep(60_000);
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "doomed-hub");
            hubThread[0].setDaemon(true);
            hubThread[0].start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && !log.text().contains("'doomed-hub'")) {
                Thread.sleep(20); // the watchdog thread reports on its own schedule: nothing to wait on
            }
            messages = log.messages();
        }
        assertEquals(Thread.State.BLOCKED, hubThread[0].getState());
        String all = String.join("\n---\n", messages);
        assertTrue(all.contains("'doomed-hub' is BLOCKED") && all.contains("'second'")
                && all.contains("waits for a monitor") && all.contains("synchronized"), all);
        assertTrue(all.contains("holder: fiber #2 'holder'") || all.contains("or:     fiber #2 'holder'"), all);
    }
}
