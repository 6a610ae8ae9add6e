package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.fibers.FiberTimeoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Plays one Autobahn TestSuite case (the fuzzer's side) against the endpoint under test over a
 * {@link RawPeer}, and checks what the Autobahn case expects: the events (echoed messages, pongs) in
 * order, and how the connection ends (who closes, with which code, whether cleanly, and that the server
 * closes the TCP connection). Stricter than Autobahn where Weft's behaviour is deterministic: where a
 * case accepts either "the echo, then the failure" or "just the failure" (NON-STRICT), the echo is
 * required; the close code must be present, not just "one of these or none".
 */
final class Autobahn {
    /** How long any one expected thing may take (generous: a loaded 2-core machine, 16 MiB messages). */
    static final Duration WAIT = Duration.ofSeconds(20);
    /** The options of the endpoint under test, client or server: section 9 sends 16 MiB messages. */
    static final WebSocketOptions OPTIONS = WebSocketOptions.builder().maxMessageSize(64 << 20).build();

    /** Every case ({@link AutobahnCases#all}), for {@code @MethodSource("dev.weft.websocket.Autobahn#cases")}. */
    static Stream<Case> cases() {
        return AutobahnCases.all().stream();
    }

    /** An event the fuzzer records: an echoed message or a pong. */
    record Event(String kind, boolean binary, byte[] payload) {
        static Event text(String s) {
            return new Event("message", false, s.getBytes(StandardCharsets.UTF_8));
        }

        static Event text(byte[] utf8) {
            return new Event("message", false, utf8);
        }

        static Event binary(byte[] b) {
            return new Event("message", true, b);
        }

        static Event pong(byte[] b) {
            return new Event("pong", false, b);
        }

        static Event pong(String s) {
            return pong(s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Event e && kind.equals(e.kind) && binary == e.binary && Arrays.equals(payload, e.payload);
        }

        @Override
        public int hashCode() {
            return kind.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return kind + (kind.equals("message") ? (binary ? "(binary, " : "(text, ") : "(") + payload.length + " bytes"
                    + (payload.length <= 24 ? " " + HexFormat.of().formatHex(payload) : "") + ")";
        }
    }

    /** How the case ends. */
    enum Ending {
        /** After the expected events the fuzzer closes with 1000 (unless its script sent a close); the endpoint answers with one of the codes. */
        FUZZER_CLOSES,
        /** The endpoint fails the connection with one of the codes (after the expected events). */
        ENDPOINT_FAILS
    }

    /** One case, as data: what the fuzzer sends (the script) and what it must see; close code -1 means a close frame without a code. */
    record Case(String id, String description, Script script, List<Event> expected, Ending ending, int... codes) {
        @Override
        public String toString() {
            return id + " " + description;
        }
    }

    interface Script {
        void play(Fuzzer f) throws Exception;
    }

    /** The fuzzer's side of one case: sending helpers, and what it received. */
    static final class Fuzzer {
        final RawPeer peer;
        /** True when the endpoint under test is the client (its frames must be masked). */
        final boolean endpointIsClient;
        final List<Event> events = new ArrayList<>();
        /** The endpoint's close frame, once it arrived. */
        RawPeer.Frame endpointClose;
        /** Whether this side sent a close frame. */
        boolean sentClose;
        private ByteArrayOutputStream fragments;
        private boolean fragmentsBinary;

        Fuzzer(RawPeer peer, boolean endpointIsClient) {
            this.peer = peer;
            this.endpointIsClient = endpointIsClient;
        }

        void frame(boolean fin, int rsv, int opcode, byte[] payload, int chop) throws IOException {
            if (opcode == 8) {
                sentClose = true;
            }
            peer.frame(fin, rsv, opcode, payload, chop);
        }

        void frame(int opcode, byte[] payload) throws IOException {
            frame(true, 0, opcode, payload, 0);
        }

        void frame(int opcode, String payload) throws IOException {
            frame(opcode, payload.getBytes(StandardCharsets.UTF_8));
        }

        /** A message in fragments of {@code fragmentSize} bytes (Autobahn's sendMessage). */
        void message(boolean binary, byte[] payload, int fragmentSize) throws IOException {
            if (payload.length <= fragmentSize) {
                frame(binary ? 2 : 1, payload);
                return;
            }
            for (int at = 0; at < payload.length; at += fragmentSize) {
                int n = Math.min(fragmentSize, payload.length - at);
                frame(at + n == payload.length, 0, at == 0 ? (binary ? 2 : 1) : 0, Arrays.copyOfRange(payload, at, at + n), 0);
            }
        }

        /** A close frame: {@code code} -1 for none, then {@code reason} bytes. */
        void close(int code, byte[] reason) throws IOException {
            sentClose = true;
            peer.close(code, reason);
        }

        /** Reads one frame from the endpoint and files it: an event, a fragment, or its close frame. Null at end of stream. */
        RawPeer.Frame readOne(Duration timeout) throws IOException {
            RawPeer.Frame f = peer.read(timeout);
            if (f == null) {
                return null;
            }
            assertEquals(endpointIsClient, f.masked(), (endpointIsClient ? "a client must mask its frames: " : "a server must not mask: ") + f);
            assertEquals(0, f.rsv(), "no extension was agreed, RSV must be 0: " + f);
            switch (f.opcode()) {
                case 1, 2 -> {
                    if (f.fin()) {
                        events.add(new Event("message", f.opcode() == 2, f.payload()));
                    } else {
                        fragments = new ByteArrayOutputStream();
                        fragments.writeBytes(f.payload());
                        fragmentsBinary = f.opcode() == 2;
                    }
                }
                case 0 -> {
                    assertTrue(fragments != null, "continuation frame without a message: " + f);
                    fragments.writeBytes(f.payload());
                    if (f.fin()) {
                        events.add(new Event("message", fragmentsBinary, fragments.toByteArray()));
                        fragments = null;
                    }
                }
                case 9 -> events.add(new Event("ping", false, f.payload()));
                case 10 -> events.add(Event.pong(f.payload()));
                case 8 -> endpointClose = f;
                default -> fail("unknown opcode from the endpoint: " + f);
            }
            return f;
        }

        /** Reads until {@code n} events were recorded (or the endpoint's close arrives). */
        void awaitEvents(int n) throws IOException {
            while (events.size() < n && endpointClose == null) {
                if (readOne(WAIT) == null) {
                    return;
                }
            }
        }

        /** Autobahn's "timeout" probe: nothing arrives within {@code quiet} (the endpoint did not fail the connection). */
        void expectNothingFor(Duration quiet) throws IOException {
            try {
                RawPeer.Frame f = peer.read(quiet);
                fail("expected nothing yet, got " + f + (f != null && f.opcode() == 8 ? " (close code " + f.closeCode() + ")" : ""));
            } catch (FiberTimeoutException expected) {
                // still open, nothing sent: as it should be
            }
        }

        /** Reads until the endpoint's close frame; the fail-fast checks call it before sending more. */
        void awaitEndpointClose() throws IOException {
            while (endpointClose == null) {
                if (readOne(WAIT) == null) {
                    fail("the endpoint dropped the connection without a close frame; events so far: " + events);
                }
            }
        }
    }

    private Autobahn() {
    }

    /** Plays {@code c} over {@code peer} and checks the outcome. */
    static void play(Case c, RawPeer peer, boolean endpointIsClient) throws Exception {
        try {
            playAndCheck(c, peer, endpointIsClient);
        } finally {
            if (c.expected() instanceof AutoCloseable large) {
                large.close(); // a 9.x payload, made for this run only
            }
        }
    }

    private static void playAndCheck(Case c, RawPeer peer, boolean endpointIsClient) throws Exception {
        Fuzzer f = new Fuzzer(peer, endpointIsClient);
        c.script().play(f);
        if (c.ending() == Ending.FUZZER_CLOSES) {
            f.awaitEvents(c.expected().size());
            assertEquals(c.expected().toString(), f.events.toString(), c + ": events");
            assertEquals(c.expected(), f.events, c + ": event payloads");
            if (!f.sentClose && f.endpointClose == null) {
                f.close(1000, new byte[0]);
            }
        }
        f.awaitEndpointClose();
        assertEquals(c.expected().toString(), f.events.toString(), c + ": events before the close");
        assertEquals(c.expected(), f.events, c + ": event payloads before the close");
        int code = f.endpointClose.closeCode();
        boolean codeOk = false;
        for (int allowed : c.codes()) {
            codeOk |= allowed == code;
        }
        assertTrue(codeOk,
                c + ": close code " + code + " (payload " + HexFormat.of().formatHex(f.endpointClose.payload()) + "), expected one of "
                        + Arrays.toString(c.codes()));
        if (c.ending() == Ending.ENDPOINT_FAILS && !f.sentClose) {
            f.close(code < 0 ? 1000 : code, new byte[0]); // the fuzzer answers, as Autobahn does
        }
        if (endpointIsClient) {
            // The server (this side) closes TCP first; the client must have answered (above) and go.
            peer.close();
        } else {
            assertTrue(peer.closedWithin(WAIT), c + ": the server must close the TCP connection after the close frames");
        }
    }

    // ---------------------------------------------------------------- helpers for the case table

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code pattern} repeated to {@code length} bytes (Autobahn's payload_len). */
    static byte[] repeat(byte[] pattern, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = pattern[i % pattern.length];
        }
        return out;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }
}
