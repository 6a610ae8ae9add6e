package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The examples as a user runs them: a JVM of their own (what {@code ./weft example NAME} execs),
 * stopped with a real SIGTERM or SIGINT, and given bad arguments. The child runs on the backend under
 * test ({@code -Dweft.hub} is passed on).
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "signals are sent with kill(1)")
@org.junit.jupiter.api.Timeout(60)
class ExampleProcessTest {

    /** A started example: its process and what it printed so far. */
    private record Child(Process process, StringBuffer out, StringBuffer err, long startedNanos) {
        String waitForLine(String text, long timeoutMillis) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (System.nanoTime() < end) {
                if (out.indexOf(text) >= 0) {
                    return out.toString();
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no '" + text + "' within " + timeoutMillis + " ms; stdout: " + out + " stderr: " + err);
        }

        int waitForExit() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not exit within 30 s; stdout: " + out + " stderr: " + err);
            }
            return process.exitValue();
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        }
    }

    private static Child start(String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(sigintAtDefault());
        command.addAll(ChildJvm.of("dev.weft.examples." + mainClass, args)
                .jvmOptions("-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n").command());
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).start();
        StringBuffer out = new StringBuffer();
        StringBuffer err = new StringBuffer();
        pump(p.getInputStream(), out);
        pump(p.getErrorStream(), err);
        return new Child(p, out, err, started);
    }

    /**
     * A command prefix that gives the child SIGINT at its default disposition. A program started in
     * the background by a non-interactive shell (a CI job, {@code cmd &}) has SIGINT ignored, its
     * children inherit that, and a JVM that starts with SIGINT ignored leaves it so: Ctrl-C could not
     * be tested. A terminal's Ctrl-C reaches a foreground program, which is what the tests mean, so
     * on Linux the child goes through {@code env --default-signal=INT} when this JVM has it ignored.
     */
    private static List<String> sigintAtDefault() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return List.of();
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                long sigint = 1L << (2 - 1);
                return (ignored & sigint) != 0 ? List.of("env", "--default-signal=INT") : List.of();
            }
        }
        return List.of();
    }

    private static void pump(InputStream in, StringBuffer into) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    /** True if nothing listens on the port any more: a new listener can bind it. */
    private static boolean portIsFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sigtermStopsTheEchoServerWithGraceAndExitZeroAndThePortIsFree() throws Exception {
        int port = Ports.free();
        Child echo = start("EchoServer", "--port", Integer.toString(port));
        String banner = echo.waitForLine("Ctrl-C or SIGTERM stops it.", 20_000);
        long startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - echo.startedNanos());
        assertTrue(banner.contains("on 127.0.0.1:" + port), banner);
        // A connection that stays open through the stop: it gets the grace, then is closed.
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            byte[] back = client.getInputStream().readNBytes(4);
            assertEquals("ping", new String(back, StandardCharsets.US_ASCII));
            long signalled = System.nanoTime();
            echo.signal("TERM");
            assertEquals(-1, client.getInputStream().read(), "the server closes the connection after the grace");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertTrue(closedAfter >= Examples.GRACE.toMillis() - 100, "closed after the grace, not before: " + closedAfter + " ms");
        }
        assertEquals(0, echo.waitForExit(), "stdout: " + echo.out() + " stderr: " + echo.err());
        String out = echo.out().toString();
        assertTrue(out.contains("stopping: closing 127.0.0.1:" + port + ", 1 open connection(s) get 2 s to finish"), out);
        assertTrue(out.contains("stopped (1 connection(s) outlived the grace and were closed); nothing listens on 127.0.0.1:"
                + port + " any more"), out);
        assertFalse(echo.err().toString().contains("Exception"), echo.err().toString());
        assertTrue(portIsFree(port), "port " + port + " is free after the stop");
        // Loose: the machine is shared; the launcher's own figure is measured by hand (README).
        assertTrue(startupMillis < 15_000, "startup took " + startupMillis + " ms");
    }

    @Test
    void sigintStopsTheHttpServerAtOnceWhenNoConnectionIsOpen() throws Exception {
        int port = Ports.free();
        Child http = start("SlowFastHttpServer", "--port", Integer.toString(port));
        http.waitForLine("Ctrl-C or SIGTERM stops it.", 20_000);
        long signalled = System.nanoTime();
        http.signal("INT");
        assertEquals(0, http.waitForExit(), "stdout: " + http.out() + " stderr: " + http.err());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        assertTrue(tookMillis < Examples.GRACE.toMillis(), "nothing to wait for, yet the stop took " + tookMillis + " ms");
        assertTrue(http.out().toString().contains("stopped; nothing listens on 127.0.0.1:" + port + " any more"), http.out().toString());
        assertTrue(portIsFree(port));
    }

    @Test
    void sigtermStopsTheRoomsServerAndTellsItsBrowserClientsGoingAway() throws Exception {
        int port = Ports.free();
        Path js = Files.createTempFile("socket.io", ".min.js");
        try {
            Files.writeString(js, "/* a stand-in for the browser client: this test talks Engine.IO itself */");
            Child rooms = start("RoomsServer", "--port", Integer.toString(port), "--client-js", js.toString());
            rooms.waitForLine("Ctrl-C or SIGTERM stops it.", 20_000);
            // a WebSocket client connected to it (raw Engine.IO: the open packet arrives first)
            dev.weft.fibers.Hub.run(() -> {
                dev.weft.websocket.WebSocket ws = dev.weft.websocket.WebSocket.connect(java.net.URI.create(
                        "ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"));
                assertTrue(((dev.weft.websocket.Message.Text) ws.receive()).text().startsWith("0{\"sid\""));
                rooms.signal("TERM");
                dev.weft.websocket.WebSocketClosedException closed = assertThrows(
                        dev.weft.websocket.WebSocketClosedException.class, () -> {
                            while (true) {
                                ws.receive(); // server pings may come first
                            }
                        });
                assertEquals(1001, closed.code(), closed.getMessage());
            });
            assertEquals(0, rooms.waitForExit(), "stdout: " + rooms.out() + " stderr: " + rooms.err());
            assertTrue(rooms.out().toString().contains("stopped; nothing listens on 127.0.0.1:" + port + " any more"),
                    rooms.out().toString());
            assertTrue(portIsFree(port));
        } finally {
            Files.deleteIfExists(js);
        }
    }

    @Test
    void aBadPortGetsTheProblemAndTheUsageLineAndStatusTwo() throws Exception {
        Child echo = start("EchoServer", "--port", "seven");
        assertEquals(2, echo.waitForExit());
        assertEquals("echo: a port is a number from 0 to 65535 (0 = any free port), not 'seven'\n"
                + "usage: ./weft example echo [--help] [--backend nio|epoll|kqueue] [--threads] [--port N]\n",
                echo.err().toString());
        assertEquals("", echo.out().toString());
    }

    @Test
    void aPortInUseIsOneSentenceAndStatusOneNotAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Child echo = start("EchoServer", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, echo.waitForExit());
            String err = echo.err().toString();
            assertTrue(err.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    && err.contains("pick another with --port N"), err);
            assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), err);
        }
    }

    @Test
    void helpPrintsTheUsageAndStatusZero() throws Exception {
        Child chat = start("ChatServer", "--help");
        assertEquals(0, chat.waitForExit());
        assertEquals("usage: ./weft example chat [--help] [--backend nio|epoll|kqueue] [--port N]\n", chat.out().toString());
        assertEquals("", chat.err().toString());
    }

    @Test
    void dbAndMulticoreHelpPrintTheirUsageAndStatusZero() throws Exception {
        Child db = start("DbExample", "--help");
        assertEquals(0, db.waitForExit(), db.err().toString());
        assertEquals("usage: ./weft example db [--help] [--backend nio|epoll|kqueue] [--port N] [--jdbc URL]\n", db.out().toString());
        assertEquals("", db.err().toString());
        Child multicore = start("MultiCoreEchoServer", "--help");
        assertEquals(0, multicore.waitForExit(), multicore.err().toString());
        assertEquals("usage: ./weft example multicore [--help] [--backend nio|epoll|kqueue] [--port N] [--hubs N]\n",
                multicore.out().toString());
        assertEquals("", multicore.err().toString());
        Child bad = start("MultiCoreEchoServer", "--hubs", "0");
        assertEquals(2, bad.waitForExit());
        assertEquals("multicore: --hubs takes a whole number of at least 1, not '0'\n"
                + "usage: ./weft example multicore [--help] [--backend nio|epoll|kqueue] [--port N] [--hubs N]\n", bad.err().toString());
    }

    /** The lines of {@code text} other than the backend choice's INFO line (printed when none is named). */
    private static List<String> linesBut(String text) {
        return text.lines().filter(l -> !l.startsWith("INFO: Weft hub backend: ")
                && !(l.startsWith("INFO: StreamServer on ") && l.contains(" hub(s) of weft-"))).toList();
    }

    @Test
    void theDbExampleWithItsPortTakenSaysSoInOneLineAndStartsNoDatabase() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Child db = start("DbExample", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, db.waitForExit());
            List<String> err = linesBut(db.err().toString());
            assertEquals(1, err.size(), db.err().toString());
            assertTrue(err.get(0).startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    && err.get(0).endsWith("pick another with --port N)"), err.get(0));
            assertEquals("", db.out().toString(), "no database was started");
        }
    }

    /**
     * Issue 23: the stop serves the request in flight from the database, then stops the database.
     * Before, the test fixture's own shutdown hook stopped PostgreSQL at the signal, beside the
     * example's, and {@code /slow} got a 503.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void sigintStopsTheDbExamplesHttpSideWithGraceThenItsDatabase() throws Exception {
        int port = Ports.free();
        Child db = start("DbExample", "--port", Integer.toString(port));
        String out;
        try {
            out = db.waitForLine("Ctrl-C or SIGTERM stops it.", 150_000);
        } catch (AssertionError notStarted) {
            org.junit.jupiter.api.Assumptions.assumeFalse(db.err().toString().contains("not found. Install the Debian package"),
                    "SKIPPED: " + db.err());
            throw notStarted;
        }
        java.util.regex.Matcher pg = java.util.regex.Pattern.compile("PostgreSQL on jdbc:postgresql://127.0.0.1:(\\d+)/").matcher(out);
        assertTrue(pg.find(), out);
        int pgPort = Integer.parseInt(pg.group(1));
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            slow.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // A request sent after /slow and answered: /slow's query has begun (its handler ran first).
            assertTrue(get(port, "/items/7").endsWith("\r\n\r\nitem 7 costs 10.5\n"));
            db.signal("INT");
            String response = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.endsWith("\r\n\r\nslowly counted 100 items\n"),
                    response);
        }
        assertEquals(0, db.waitForExit(), "stdout: " + db.out() + " stderr: " + db.err());
        String all = db.out().toString();
        int stopping = all.indexOf("stopping: closing 127.0.0.1:" + port + ", ");
        int pgStopped = all.indexOf("stopped the throw-away PostgreSQL\n");
        int stopped = all.indexOf("stopped; nothing listens on 127.0.0.1:" + port + " any more\n");
        assertTrue(stopping >= 0 && all.indexOf("open connection(s) get 5 s to finish", stopping) > 0, all);
        assertTrue(stopping < pgStopped && pgStopped < stopped, "the HTTP side, then the database, then done: " + all);
        assertEquals(List.of(), linesBut(db.err().toString()));
        assertTrue(portIsFree(port), "port " + port + " is free after the stop");
        assertTrue(portIsFree(pgPort), "PostgreSQL's port " + pgPort + " is free after the stop");
    }

    /** A GET over a fresh connection; the whole response. */
    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Issue 23: SO_REUSEPORT would let a second multicore share the port and take half the connections. */
    @Test
    void aSecondMulticoreOnTheSamePortIsRefusedInOneLineAndSigtermStopsTheFirst() throws Exception {
        int port = Ports.free();
        Child first = start("MultiCoreEchoServer", "--port", Integer.toString(port), "--hubs", "2");
        first.waitForLine("Ctrl-C or SIGTERM stops it.", 20_000);
        Child second = start("MultiCoreEchoServer", "--port", Integer.toString(port), "--hubs", "2");
        assertEquals(1, second.waitForExit(), "stdout: " + second.out());
        assertEquals(List.of("cannot listen on 127.0.0.1:" + port + ": Address already in use: 127.0.0.1:" + port
                + " (another program listens there; with SO_REUSEPORT the group's listeners would silently share the port"
                + " with it); pick another port with --port N"),
                linesBut(second.err().toString()));
        assertEquals("", second.out().toString());
        for (int i = 0; i < 20; i++) { // every connection reaches the first
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                c.getOutputStream().write(("ping " + i).getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping " + i, new String(c.getInputStream().readNBytes(("ping " + i).length()), StandardCharsets.US_ASCII));
            }
        }
        assertTrue(first.err().toString().contains("INFO: StreamServer on /127.0.0.1:" + port + ": accepting on 2 hub(s) of weft-1"
                + " (one SO_REUSEPORT listener per hub, backend "), "the server says how many hubs serve it: " + first.err());
        first.signal("TERM");
        assertEquals(0, first.waitForExit(), "stdout: " + first.out() + " stderr: " + first.err());
        String out = first.out().toString();
        assertTrue(out.contains("stopping: closing 127.0.0.1:" + port + " on 2 hub(s), 0 open connection(s) get 2 s to finish\n"), out);
        assertTrue(out.endsWith("stopped; nothing listens on 127.0.0.1:" + port + " any more\n"), out);
        assertEquals(List.of(), linesBut(first.err().toString()));
        assertTrue(portIsFree(port));
    }

    /** Issue 23: a client that resets is one INFO line naming it, on stderr, and the server goes on. */
    @Test
    void anEchoClientThatResetsIsOneLineInTheLog() throws Exception {
        int port = Ports.free();
        Child echo = start("EchoServer", "--port", Integer.toString(port));
        echo.waitForLine("Ctrl-C or SIGTERM stops it.", 20_000);
        int clientPort;
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            clientPort = c.getLocalPort();
            c.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hi", new String(c.getInputStream().readNBytes(2), StandardCharsets.US_ASCII));
            c.setSoLinger(true, 0); // close sends a reset
        }
        String line = "INFO: 127.0.0.1:" + clientPort + " disconnected: Connection reset";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (echo.err().indexOf(line) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        echo.signal("TERM");
        assertEquals(0, echo.waitForExit());
        assertEquals(List.of(line), linesBut(echo.err().toString()));
    }

    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(OS.LINUX)
    void aBackendThatCannotRunHereIsOneSentenceAndStatusOneNotAStackTrace() throws Exception {
        Child pc = start("ProducerConsumer", "--backend", "kqueue");
        assertEquals(1, pc.waitForExit());
        String err = pc.err().toString();
        assertTrue(err.startsWith("weft: -Dweft.hub=kqueue selects the kqueue backend, but it cannot run here: "
                + "kqueue is not available on this OS"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void producerConsumerRunsToItsEndAndExitsZero() throws Exception {
        Child pc = start("ProducerConsumer", "--backend", "nio");
        assertEquals(0, pc.waitForExit(), pc.err().toString());
        assertTrue(pc.out().toString().endsWith("total consumed 10\n"), pc.out().toString());
    }
}
