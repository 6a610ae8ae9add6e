package dev.weft.websocket;

import static dev.weft.websocket.Autobahn.hex;
import static dev.weft.websocket.Autobahn.utf8;

import dev.weft.websocket.Autobahn.Case;
import dev.weft.websocket.Autobahn.Ending;
import dev.weft.websocket.Autobahn.Event;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Section 6 of the Autobahn TestSuite (UTF-8 handling), as data: 6.1–6.4 by hand from their case
 * files, and 6.5–6.23 generated as {@code case6_x_x.py} generates them, from Markus Kuhn's UTF-8 test
 * sequences in the same order (so 6.N.M is the M-th sequence of group N). Validity comes from the
 * table where it says so; for the prefixes of group 6.6 it comes from the JDK's strict decoder (an
 * oracle independent of the validator under test).
 */
final class AutobahnUtf8Cases {
    /** Autobahn's string of valid multi-byte code points (Greek "kosme"). */
    private static final byte[] KOSME = hex("cebae1bdb9cf83cebcceb5");
    private static final Duration QUIET = Duration.ofMillis(300);

    private AutobahnUtf8Cases() {
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        c.add(echo("6.1.1", "text message of length 0", f -> f.frame(1, new byte[0]), new byte[0]));
        c.add(echo("6.1.2", "3 empty fragments", f -> {
            f.frame(false, 0, 1, new byte[0], 0);
            f.frame(false, 0, 0, new byte[0], 0);
            f.frame(true, 0, 0, new byte[0], 0);
        }, new byte[0]));
        byte[] middle = utf8("middle frame payload");
        c.add(echo("6.1.3", "3 fragments, the first and last empty", f -> {
            f.frame(false, 0, 1, new byte[0], 0);
            f.frame(false, 0, 0, middle, 0);
            f.frame(true, 0, 0, new byte[0], 0);
        }, middle));
        byte[] hello = utf8("Hello-µ@ßöäüàá-UTF-8!!");
        byte[] hello1 = utf8("Hello-µ@ßöä");
        byte[] hello2 = utf8("üàá-UTF-8!!");
        c.add(echo("6.2.1", "valid UTF-8 in one fragment", f -> f.frame(1, hello), hello));
        c.add(echo("6.2.2", "valid UTF-8 in two fragments split at a code point", f -> {
            f.frame(false, 0, 1, hello1, 0);
            f.frame(true, 0, 0, hello2, 0);
        }, hello));
        c.add(echo("6.2.3", "valid UTF-8 in fragments of 1 byte", f -> f.message(false, hello, 1), hello));
        c.add(echo("6.2.4", "valid UTF-8 (kosme) in fragments of 1 byte", f -> f.message(false, KOSME, 1), KOSME));
        byte[] invalid = concat(KOSME, hex("eda080"), hex("656469746564"));
        c.add(fails("6.3.1", "invalid UTF-8 in one fragment", f -> f.frame(1, invalid)));
        c.add(fails("6.3.2", "invalid UTF-8 in fragments of 1 byte", f -> f.message(false, invalid, 1)));
        // 6.4: fail fast. The first part is valid (the endpoint must not fail yet: Autobahn's "timeout A");
        // the second makes it invalid and must be refused at once, before the third is sent.
        byte[] whole = concat(KOSME, hex("f4908080"), hex("656469746564"));
        byte[][] frames = {KOSME, hex("f4908080"), hex("656469746564")};
        byte[][] atByte12 = {Arrays.copyOfRange(whole, 0, 12), Arrays.copyOfRange(whole, 12, 13), Arrays.copyOfRange(whole, 13, whole.length)};
        c.add(fails("6.4.1", "fail fast: 3 fragments, the 2nd makes it invalid", f -> failFastFragments(f, frames)));
        c.add(fails("6.4.2", "fail fast: 3 fragments, the 2nd is the one invalid byte", f -> failFastFragments(f, atByte12)));
        c.add(fails("6.4.3", "fail fast: one frame in 3 chops, the 2nd makes it invalid", f -> failFastChops(f, whole, frames)));
        c.add(fails("6.4.4", "fail fast: one frame in 3 chops, the 2nd is the one invalid byte", f -> failFastChops(f, whole, atByte12)));
        int group = 5;
        for (Sequences.Group g : Sequences.GROUPS) {
            int n = 1;
            for (Sequences.Item item : g.items()) {
                String id = "6." + group + "." + n++;
                String what = g.name() + ": " + java.util.HexFormat.of().formatHex(item.bytes());
                c.add(item.valid() ? echo(id, what, f -> f.frame(1, item.bytes()), item.bytes())
                        : fails(id, what, f -> f.frame(1, item.bytes())));
            }
            group++;
        }
        return c;
    }

    private static void failFastFragments(Autobahn.Fuzzer f, byte[][] parts) throws Exception {
        f.frame(false, 0, 1, parts[0], 0);
        f.expectNothingFor(QUIET);
        f.frame(false, 0, 0, parts[1], 0);
        f.awaitEndpointClose(); // before the third part: failed fast
    }

    private static void failFastChops(Autobahn.Fuzzer f, byte[] whole, byte[][] parts) throws Exception {
        byte[] frame = f.peer.encode(true, 0, 1, whole);
        int header = frame.length - whole.length;
        f.peer.raw(Arrays.copyOfRange(frame, 0, header + parts[0].length), 0);
        f.expectNothingFor(QUIET);
        f.peer.raw(Arrays.copyOfRange(frame, header + parts[0].length, header + parts[0].length + parts[1].length), 0);
        f.awaitEndpointClose();
    }

    private static Case echo(String id, String description, Autobahn.Script script, byte[] text) {
        return new Case(id, description, script, List.of(Event.text(text)), Ending.FUZZER_CLOSES, 1000);
    }

    private static Case fails(String id, String description, Autobahn.Script script) {
        return new Case(id, description, script, List.of(), Ending.ENDPOINT_FAILS, 1007);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /** Whether {@code b} is complete, valid UTF-8, by the JDK's decoder set to refuse anything else. */
    static boolean jdkSaysValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** createUtf8TestSequences(), group by group. */
    static final class Sequences {
        record Item(boolean valid, byte[] bytes) {
        }

        record Group(String name, List<Item> items) {
        }

        static final List<Group> GROUPS = build();

        private static List<Group> build() {
            List<Group> g = new ArrayList<>();
            g.add(group("Some valid UTF-8 sequences", true, "68656c6c6f24776f726c64", "68656c6c6fc2a2776f726c64",
                    "68656c6c6fe282ac776f726c64", "68656c6c6ff0a4ada2776f726c64", "cebae1bdb9cf83cebcceb5"));
            List<Item> prefixes = new ArrayList<>();
            for (int i = 1; i <= KOSME.length; i++) {
                byte[] p = Arrays.copyOf(KOSME, i);
                prefixes.add(new Item(jdkSaysValid(p), p));
            }
            g.add(new Group("All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes));
            g.add(group("First possible sequence of a certain length", true, "00", "c280", "e0a080", "f0908080"));
            g.add(group("First possible sequence length 5/6 (invalid codepoints)", false, "f888808080", "fc8480808080"));
            g.add(group("Last possible sequence of a certain length", true, "7f", "dfbf", "efbfbf", "f48fbfbf"));
            g.add(group("Last possible sequence length 4/5/6 (invalid codepoints)", false, "f7bfbfbf", "fbbfbfbfbf", "fdbfbfbfbfbf"));
            List<Item> boundary = new ArrayList<>(group("", true, "ed9fbf", "ee8080", "efbfbd", "f48fbfbf").items());
            boundary.add(new Item(false, hex("f4908080")));
            g.add(new Group("Other boundary conditions", boundary));
            byte[] all = new byte[0xbf - 0x80];
            for (int i = 0x80; i < 0xbf; i++) {
                all[i - 0x80] = (byte) i;
            }
            List<Item> continuation = new ArrayList<>(group("", false, "80", "bf", "80bf", "80bf80", "80bf80bf", "80bf80bf80",
                    "80bf80bf80bf").items());
            continuation.add(new Item(false, all));
            g.add(new Group("Unexpected continuation bytes", continuation));
            List<Item> lonely = new ArrayList<>();
            int[][] ranges = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
            for (int[] r : ranges) {
                byte[] s = new byte[(r[1] - r[0]) * 2];
                for (int i = r[0]; i < r[1]; i++) {
                    s[(i - r[0]) * 2] = (byte) i;
                    s[(i - r[0]) * 2 + 1] = 0x20;
                }
                lonely.add(new Item(false, s));
            }
            g.add(new Group("Lonely start characters", lonely));
            String[] missing = {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"};
            g.add(group("Sequences with last continuation byte missing", false, missing));
            g.add(group("Concatenation of incomplete sequences", false, String.join("", missing)));
            g.add(group("Impossible bytes", false, "fe", "ff", "fefeffff"));
            g.add(group("Examples of an overlong ASCII character", false, "c0af", "e080af", "f08080af", "f8808080af", "fc80808080af"));
            g.add(group("Maximum overlong sequences", false, "c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf"));
            g.add(group("Overlong representation of the NUL character", false, "c080", "e08080", "f0808080", "f880808080", "fc8080808080"));
            g.add(group("Single UTF-16 surrogates", false, "eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf"));
            g.add(group("Paired UTF-16 surrogates", false, "eda080edb080", "eda080edbfbf", "edadbfedb080", "edadbfedbfbf",
                    "edae80edb080", "edae80edbfbf", "edafbfedb080", "edafbfedbfbf"));
            List<Item> nonChars = new ArrayList<>(group("", true, "efbfbe", "efbfbf").items());
            for (String z1 : new String[] {"f0", "f1", "f2", "f3", "f4"}) {
                for (String z2 : new String[] {"8f", "9f", "af", "bf"}) {
                    if (z1.equals("f4") && !z2.equals("8f")) {
                        continue; // above U+10FFFF
                    }
                    for (String z3 : new String[] {"be", "bf"}) {
                        String zz = z1 + z2 + "bf" + z3;
                        if (!zz.equals("f08fbfbe") && !zz.equals("f08fbfbf")) { // overlong
                            nonChars.add(new Item(true, hex(zz)));
                        }
                    }
                }
            }
            g.add(new Group("Non-character code points (valid UTF-8)", nonChars));
            g.add(group("Unicode specials (i.e. replacement char)", true, "efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd",
                    "efbfbe", "efbfbf"));
            return g;
        }

        private static Group group(String name, boolean valid, String... hexes) {
            List<Item> items = new ArrayList<>();
            for (String h : hexes) {
                items.add(new Item(valid, hex(h)));
            }
            return new Group(name, items);
        }
    }
}
