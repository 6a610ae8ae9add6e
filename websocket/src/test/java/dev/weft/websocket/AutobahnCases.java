package dev.weft.websocket;

import static dev.weft.websocket.Autobahn.bytes;
import static dev.weft.websocket.Autobahn.hex;
import static dev.weft.websocket.Autobahn.repeat;
import static dev.weft.websocket.Autobahn.utf8;

import dev.weft.websocket.Autobahn.Case;
import dev.weft.websocket.Autobahn.Ending;
import dev.weft.websocket.Autobahn.Event;
import dev.weft.websocket.Autobahn.Script;
import java.util.ArrayList;
import java.util.List;

/**
 * The cases of the Autobahn TestSuite's sections 1–5, 7 and 9 (framing, pings/pongs, reserved bits,
 * opcodes, fragmentation, close handling, limits/performance), as data: each one's frames and
 * expectations from {@code autobahntestsuite/case/case*.py} (crossbario/autobahn-testsuite), under
 * its case number. Section 6 (UTF-8) is {@link AutobahnUtf8Cases}. Where Autobahn waits a second to
 * let the endpoint act (5.19, 5.20), the fuzzer here waits for the pong that proves it did.
 */
final class AutobahnCases {
    private static final int NORMAL = 1000;
    private static final int PROTOCOL_ERROR = 1002;
    private static final int INVALID_PAYLOAD = 1007;
    private static final byte[] EMPTY = new byte[0];

    private AutobahnCases() {
    }

    /** Every case of sections 1–7 and 9, in Autobahn's order. */
    static List<Case> all() {
        List<Case> all = new ArrayList<>();
        all.addAll(framing());
        all.addAll(pings());
        all.addAll(reservedBits());
        all.addAll(opcodes());
        all.addAll(fragmentation());
        all.addAll(AutobahnUtf8Cases.all());
        all.addAll(closing());
        all.addAll(limits());
        return all;
    }

    private static Case echo(String id, String description, Script script, Event... expected) {
        return new Case(id, description, script, List.of(expected), Ending.FUZZER_CLOSES, NORMAL);
    }

    private static Case fails(String id, String description, int code, Script script, Event... expected) {
        return new Case(id, description, script, List.of(expected), Ending.ENDPOINT_FAILS, code);
    }

    // ---------------------------------------------------------------- 1 Framing

    static List<Case> framing() {
        List<Case> c = new ArrayList<>();
        int[] sizes = {0, 125, 126, 127, 128, 65535, 65536};
        for (int i = 0; i < sizes.length; i++) {
            byte[] text = repeat(bytes("*"), sizes[i]);
            c.add(echo("1.1." + (i + 1), "text message with payload " + sizes[i], f -> f.frame(1, text), Event.text(text)));
        }
        byte[] text = repeat(bytes("*"), 65536);
        c.add(echo("1.1.8", "text message of 65536 in chops of 997", f -> f.frame(true, 0, 1, text, 997), Event.text(text)));
        for (int i = 0; i < sizes.length; i++) {
            byte[] bin = repeat(new byte[] {(byte) 0xfe}, sizes[i]);
            c.add(echo("1.2." + (i + 1), "binary message with payload " + sizes[i], f -> f.frame(2, bin), Event.binary(bin)));
        }
        byte[] bin = repeat(new byte[] {(byte) 0xfe}, 65536);
        c.add(echo("1.2.8", "binary message of 65536 in chops of 997", f -> f.frame(true, 0, 2, bin, 997), Event.binary(bin)));
        return c;
    }

    // ---------------------------------------------------------------- 2 Pings/Pongs

    static List<Case> pings() {
        List<Case> c = new ArrayList<>();
        c.add(echo("2.1", "ping without payload", f -> f.frame(9, EMPTY), Event.pong(EMPTY)));
        c.add(echo("2.2", "ping with small text payload", f -> f.frame(9, "Hello, world!"), Event.pong("Hello, world!")));
        byte[] b = hex("00fffefdfcfb00ff");
        c.add(echo("2.3", "ping with small binary payload", f -> f.frame(9, b), Event.pong(b)));
        byte[] b125 = repeat(hex("fe"), 125);
        c.add(echo("2.4", "ping with 125 bytes", f -> f.frame(9, b125), Event.pong(b125)));
        byte[] b126 = repeat(hex("fe"), 126);
        c.add(fails("2.5", "ping with 126 bytes: control frame too long", PROTOCOL_ERROR, f -> f.frame(9, b126)));
        c.add(echo("2.6", "ping with 125 bytes in octet-wise chops", f -> f.frame(true, 0, 9, b125, 1), Event.pong(b125)));
        c.add(new Case("2.7", "unsolicited pong without payload, then close", f -> {
            f.frame(10, EMPTY);
            f.close(NORMAL, EMPTY);
        }, List.of(), Ending.FUZZER_CLOSES, NORMAL));
        c.add(new Case("2.8", "unsolicited pong with payload, then close", f -> {
            f.frame(10, "unsolicited pong payload");
            f.close(NORMAL, EMPTY);
        }, List.of(), Ending.FUZZER_CLOSES, NORMAL));
        c.add(echo("2.9", "unsolicited pong, then ping", f -> {
            f.frame(10, "unsolicited pong payload");
            f.frame(9, "ping payload");
        }, Event.pong("ping payload")));
        for (int chop : new int[] {0, 1}) {
            List<Event> pongs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                pongs.add(Event.pong("payload-" + i));
            }
            c.add(new Case(chop == 0 ? "2.10" : "2.11", "10 pings with payload" + (chop == 0 ? "" : " in octet-wise chops"), f -> {
                for (int i = 0; i < 10; i++) {
                    f.frame(true, 0, 9, utf8("payload-" + i), chop);
                }
            }, pongs, Ending.FUZZER_CLOSES, NORMAL));
        }
        return c;
    }

    // ---------------------------------------------------------------- 3 Reserved bits

    static List<Case> reservedBits() {
        List<Case> c = new ArrayList<>();
        byte[] hello = utf8("Hello, world!");
        c.add(fails("3.1", "text with RSV = 1", PROTOCOL_ERROR, f -> f.frame(true, 1, 1, hello, 0)));
        int[] chops = {0, 0, 1};
        for (int rsv = 2; rsv <= 4; rsv++) {
            int r = rsv;
            int chop = chops[rsv - 2];
            c.add(fails("3." + rsv, "text, then text with RSV = " + rsv + ", then ping" + (chop == 1 ? " (octet-wise chops)" : ""),
                    PROTOCOL_ERROR, f -> {
                        f.frame(true, 0, 1, hello, chop);
                        f.frame(true, r, 1, hello, chop);
                        f.frame(true, 0, 9, EMPTY, chop);
                    }, Event.text(hello)));
        }
        c.add(fails("3.5", "binary with RSV = 5", PROTOCOL_ERROR, f -> f.frame(true, 5, 2, hex("00fffefdfcfb00ff"), 0)));
        c.add(fails("3.6", "ping with RSV = 6", PROTOCOL_ERROR, f -> f.frame(true, 6, 9, hello, 0)));
        c.add(fails("3.7", "close with RSV = 7", PROTOCOL_ERROR, f -> f.frame(true, 7, 8, EMPTY, 0)));
        return c;
    }

    // ---------------------------------------------------------------- 4 Opcodes

    static List<Case> opcodes() {
        List<Case> c = new ArrayList<>();
        byte[] hello = utf8("Hello, world!");
        byte[] reserved = utf8("reserved opcode payload");
        for (int control = 0; control <= 1; control++) {
            int base = control == 0 ? 3 : 11;
            String section = control == 0 ? "4.1." : "4.2.";
            c.add(fails(section + 1, "reserved opcode " + base, PROTOCOL_ERROR, f -> f.frame(base, EMPTY)));
            c.add(fails(section + 2, "reserved opcode " + (base + 1) + " with payload", PROTOCOL_ERROR,
                    f -> f.frame(base + 1, reserved)));
            for (int k = 2; k <= 4; k++) {
                int op = base + k;
                int chop = k == 4 ? 1 : 0;
                byte[] payload = k == 2 ? EMPTY : hello;
                c.add(fails(section + (k + 1), "text, then reserved opcode " + op + ", then ping" + (chop == 1 ? " (octet-wise)" : ""),
                        PROTOCOL_ERROR, f -> {
                            f.frame(true, 0, 1, hello, chop);
                            f.frame(true, 0, op, payload, chop);
                            f.frame(true, 0, 9, EMPTY, chop);
                        }, Event.text(hello)));
            }
        }
        return c;
    }

    // ---------------------------------------------------------------- 5 Fragmentation

    static List<Case> fragmentation() {
        List<Case> c = new ArrayList<>();
        byte[] f1 = utf8("fragment1");
        byte[] f2 = utf8("fragment2");
        byte[] both = utf8("fragment1fragment2");
        c.add(fails("5.1", "fragmented ping", PROTOCOL_ERROR, f -> {
            f.frame(false, 0, 9, f1, 0);
            f.frame(true, 0, 0, f2, 0);
        }));
        c.add(fails("5.2", "fragmented pong", PROTOCOL_ERROR, f -> {
            f.frame(false, 0, 10, f1, 0);
            f.frame(true, 0, 0, f2, 0);
        }));
        int[] chops = {0, 0, 1};
        for (int k = 0; k < 3; k++) {
            int chop = chops[k];
            c.add(echo("5." + (3 + k), "text in 2 fragments" + (k == 1 ? " (frame-wise)" : k == 2 ? " (octet-wise chops)" : ""), f -> {
                f.frame(false, 0, 1, f1, chop);
                f.frame(true, 0, 0, f2, chop);
            }, Event.text(both)));
        }
        byte[] ping = utf8("ping payload");
        for (int k = 0; k < 3; k++) {
            int chop = chops[k];
            c.add(echo("5." + (6 + k), "text in 2 fragments with a ping between" + (chop == 1 ? " (octet-wise chops)" : ""), f -> {
                f.frame(false, 0, 1, f1, chop);
                f.frame(true, 0, 9, ping, chop);
                f.frame(true, 0, 0, f2, chop);
            }, Event.pong(ping), Event.text(both)));
        }
        byte[] nonCont = utf8("non-continuation payload");
        byte[] hello = utf8("Hello, world!");
        int[] chops3 = {0, 0, 1};
        for (int k = 0; k < 3; k++) {
            int chop = chops3[k];
            c.add(fails("5." + (9 + k), "unexpected continuation (fin) first" + (chop == 1 ? " (octet-wise)" : ""), PROTOCOL_ERROR, f -> {
                f.frame(true, 0, 0, nonCont, chop);
                f.frame(true, 0, 1, hello, chop);
            }));
        }
        for (int k = 0; k < 3; k++) {
            int chop = chops3[k];
            c.add(fails("5." + (12 + k), "unexpected continuation (not fin) first" + (chop == 1 ? " (octet-wise)" : ""), PROTOCOL_ERROR, f -> {
                f.frame(false, 0, 0, nonCont, chop);
                f.frame(true, 0, 1, hello, chop);
            }));
        }
        c.add(fails("5.15", "fragmented text, then a continuation not fin, then a new text", PROTOCOL_ERROR, f -> {
            f.frame(false, 0, 1, f1, 0);
            f.frame(true, 0, 0, f2, 0);
            f.frame(false, 0, 0, utf8("fragment3"), 0);
            f.frame(true, 0, 1, utf8("fragment4"), 0);
        }, Event.text(both)));
        for (int k = 0; k <= 1; k++) {
            boolean firstFin = k == 1;
            c.add(fails("5." + (16 + k), "continuation (" + (firstFin ? "fin" : "not fin") + ") first, then a fragmented text, twice",
                    PROTOCOL_ERROR, f -> {
                        for (int i = 0; i < 2; i++) {
                            f.frame(firstFin, 0, 0, f1, 0);
                            f.frame(false, 0, 1, f2, 0);
                            f.frame(true, 0, 0, utf8("fragment3"), 0);
                        }
                    }));
        }
        c.add(fails("5.18", "text not fin, then a new text fin", PROTOCOL_ERROR, f -> {
            f.frame(false, 0, 1, f1, 0);
            f.frame(true, 0, 1, f2, 0);
        }));
        for (int k = 0; k <= 1; k++) {
            String[] frags = {"fragment1", "fragment2", "fragment3", "fragment4", "fragment5"};
            c.add(echo("5." + (19 + k), "text in 5 fragments with 2 pings between, in two parts" + (k == 1 ? " (frame-wise)" : ""), f -> {
                f.frame(false, 0, 1, utf8(frags[0]), 0);
                f.frame(false, 0, 0, utf8(frags[1]), 0);
                f.frame(true, 0, 9, utf8("pongme 1!"), 0);
                f.awaitEvents(1); // Autobahn waits a second here; the pong proves the endpoint took part one
                f.frame(false, 0, 0, utf8(frags[2]), 0);
                f.frame(false, 0, 0, utf8(frags[3]), 0);
                f.frame(true, 0, 9, utf8("pongme 2!"), 0);
                f.frame(true, 0, 0, utf8(frags[4]), 0);
            }, Event.pong("pongme 1!"), Event.pong("pongme 2!"), Event.text(String.join("", frags))));
        }
        return c;
    }

    // ---------------------------------------------------------------- 7 Close handling

    static List<Case> closing() {
        List<Case> c = new ArrayList<>();
        byte[] hello = utf8("Hello World!");
        c.add(echo("7.1.1", "a message, then the close", f -> f.frame(1, hello), Event.text(hello)));
        c.add(answers("7.1.2", "two close frames", f -> {
            f.close(NORMAL, EMPTY);
            f.frame(8, EMPTY);
        }, NORMAL));
        c.add(answers("7.1.3", "a ping after the close: no pong", f -> {
            f.close(NORMAL, EMPTY);
            f.frame(9, EMPTY);
        }, NORMAL));
        c.add(answers("7.1.4", "a text after the close: ignored", f -> {
            f.close(NORMAL, EMPTY);
            f.frame(1, hello);
        }, NORMAL));
        c.add(answers("7.1.5", "fragment 1, close, fragment 2", f -> {
            f.frame(false, 0, 1, utf8("fragment1"), 0);
            f.close(NORMAL, EMPTY);
            f.frame(true, 0, 0, utf8("fragment2"), 0);
        }, NORMAL));
        byte[] big = repeat(bytes("BAsd7&jh23"), 256 * 1024);
        c.add(new Case("7.1.6", "256 KiB message, a text, close, ping (informational in Autobahn: here both echoes, then the close)", f -> {
            f.frame(1, big);
            f.frame(1, hello);
            f.close(NORMAL, EMPTY);
            f.frame(9, EMPTY);
        }, List.of(Event.text(big), Event.text(hello)), Ending.FUZZER_CLOSES, NORMAL));
        c.add(answers("7.3.1", "close without payload: answered without a code", f -> f.close(-1, EMPTY), -1));
        c.add(answers("7.3.2", "close with a 1-byte payload", f -> f.frame(8, utf8("a")), PROTOCOL_ERROR));
        c.add(answers("7.3.3", "close with a code", f -> f.close(NORMAL, EMPTY), NORMAL));
        c.add(answers("7.3.4", "close with a code and a reason", f -> f.close(NORMAL, utf8("Hello World!")), NORMAL));
        c.add(answers("7.3.5", "close with a reason of 123 bytes", f -> f.close(NORMAL, repeat(bytes("*"), 123)), NORMAL));
        c.add(answers("7.3.6", "close with a reason of 124 bytes (payload 126)", f -> f.close(NORMAL, repeat(bytes("*"), 124)),
                PROTOCOL_ERROR));
        c.add(answers("7.5.1", "close with a reason that is not UTF-8", f -> f.close(NORMAL,
                hex("cebae1bdb9cf83cebcceb5eda080656469746564")), PROTOCOL_ERROR, INVALID_PAYLOAD));
        int[] valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
        for (int i = 0; i < valid.length; i++) {
            int code = valid[i];
            c.add(answers("7.7." + (i + 1), "close with valid code " + code, f -> f.close(code, EMPTY), NORMAL, code));
        }
        int[] invalid = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
        for (int i = 0; i < invalid.length; i++) {
            int code = invalid[i];
            c.add(answers("7.9." + (i + 1), "close with invalid code " + code, f -> f.close(code, EMPTY), PROTOCOL_ERROR));
        }
        c.add(answers("7.13.1", "close with code 5000 (informational in Autobahn: here 1002)", f -> f.close(5000, EMPTY), PROTOCOL_ERROR));
        c.add(answers("7.13.2", "close with code 65535 (informational in Autobahn: here 1002)", f -> f.close(65535, EMPTY), PROTOCOL_ERROR));
        return c;
    }

    /** The fuzzer closes in its script; the endpoint answers with one of {@code codes}. */
    private static Case answers(String id, String description, Script script, int... codes) {
        return new Case(id, description, script, List.of(), Ending.FUZZER_CLOSES, codes);
    }

    // ---------------------------------------------------------------- 9 Limits/Performance

    static List<Case> limits() {
        List<Case> c = new ArrayList<>();
        int[] sizes = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20};
        byte[] textPattern = bytes("BAsd7&jh23");
        byte[] binPattern = hex("00fe23faf0");
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            c.add(lazyEcho("9.1." + (i + 1), "text message of " + n + " bytes", false, () -> repeat(textPattern, n), (f, p) -> f.frame(1, p)));
        }
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            c.add(lazyEcho("9.2." + (i + 1), "binary message of " + n + " bytes", true, () -> repeat(binPattern, n), (f, p) -> f.frame(2, p)));
        }
        int[] frags = {64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20};
        for (int i = 0; i < frags.length; i++) {
            int frag = frags[i];
            c.add(lazyEcho("9.3." + (i + 1), "text message of 4 MiB in fragments of " + frag, false,
                    () -> repeat(bytes("*"), 4 << 20), (f, p) -> f.message(false, p, frag)));
        }
        for (int i = 0; i < frags.length; i++) {
            int frag = frags[i];
            c.add(lazyEcho("9.4." + (i + 1), "binary message of 4 MiB in fragments of " + frag, true,
                    () -> repeat(hex("fe"), 4 << 20), (f, p) -> f.message(true, p, frag)));
        }
        int[] chops = {64, 128, 256, 512, 1024, 2048};
        for (int i = 0; i < chops.length; i++) {
            int chop = chops[i];
            c.add(lazyEcho("9.5." + (i + 1), "text message of 1 MiB in chops of " + chop, false,
                    () -> repeat(textPattern, 1 << 20), (f, p) -> f.frame(true, 0, 1, p, chop)));
        }
        for (int i = 0; i < chops.length; i++) {
            int chop = chops[i];
            c.add(lazyEcho("9.6." + (i + 1), "binary message of 1 MiB in chops of " + chop, true,
                    () -> repeat(binPattern, 1 << 20), (f, p) -> f.frame(true, 0, 2, p, chop)));
        }
        int[] rtt = {0, 16, 64, 256, 1024, 4096};
        for (int b = 0; b <= 1; b++) {
            boolean binary = b == 1;
            for (int i = 0; i < rtt.length; i++) {
                int len = rtt[i];
                byte[] p = repeat(binary ? hex("fe") : bytes("*"), len);
                Event e = binary ? Event.binary(p) : Event.text(p);
                c.add(new Case((binary ? "9.8." : "9.7.") + (i + 1), "1000 " + (binary ? "binary" : "text") + " round trips of " + len + " bytes",
                        f -> {
                            for (int k = 0; k < 1000; k++) {
                                f.frame(binary ? 2 : 1, p);
                                f.awaitEvents(1);
                                if (!f.events.equals(List.of(e))) {
                                    throw new AssertionError("round trip " + k + ": got " + f.events);
                                }
                                f.events.clear();
                            }
                            f.events.add(e); // the last one, for the common check
                        }, List.of(e), Ending.FUZZER_CLOSES, NORMAL));
            }
        }
        return c;
    }

    private interface Sends {
        void send(Autobahn.Fuzzer f, byte[] payload) throws Exception;
    }

    /** A large echo case whose payload is made when it runs (not when the table is built), and dropped after it. */
    private static Case lazyEcho(String id, String description, boolean binary, java.util.function.Supplier<byte[]> payload, Sends sends) {
        return new LazyCase(id, description, binary, payload, sends).build();
    }

    /** Builds a {@link Case} whose expected event is the payload made at run time. */
    private record LazyCase(String id, String description, boolean binary, java.util.function.Supplier<byte[]> payload, Sends sends) {
        Case build() {
            ExpectedPayload ep = new ExpectedPayload(binary, payload);
            return new Case(id, description, f -> sends.send(f, ep.get()), ep, Ending.FUZZER_CLOSES, NORMAL);
        }
    }

    /** A one-element expected-event list whose payload is made on first use and dropped after the case ({@link #close()}). */
    private static final class ExpectedPayload extends java.util.AbstractList<Event> implements AutoCloseable {
        private final boolean binary;
        private final java.util.function.Supplier<byte[]> payload;
        private byte[] made;

        ExpectedPayload(boolean binary, java.util.function.Supplier<byte[]> payload) {
            this.binary = binary;
            this.payload = payload;
        }

        byte[] get() {
            if (made == null) {
                made = payload.get();
            }
            return made;
        }

        @Override
        public Event get(int index) {
            if (index != 0) {
                throw new IndexOutOfBoundsException(index);
            }
            return new Event("message", binary, get());
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void close() {
            made = null;
        }

        @Override
        public String toString() {
            return "[message(" + (binary ? "binary" : "text") + ", " + get().length + " bytes)]";
        }
    }
}
