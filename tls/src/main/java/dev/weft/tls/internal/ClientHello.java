package dev.weft.tls.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the server name (SNI) from a TLS ClientHello before any {@link javax.net.ssl.SSLEngine}
 * exists, so that a server can pick the {@link javax.net.ssl.SSLContext} for that name (the JDK's
 * engine is bound to one context when it is created). Also tells a peer that is not speaking TLS
 * at all from one that has not sent everything yet. Nothing is consumed: the bytes are fed to the
 * engine afterwards.
 *
 * <p>Format (RFC 8446 §4.1.2, RFC 6066 §3): records {@code type(1)=22 version(2) length(2)}, whose
 * payloads together carry one handshake message {@code type(1)=1 length(3)} {@code
 * legacy_version(2) random(32) session_id<0..32> cipher_suites<2..> compression<1..>
 * extensions<0..>}; extension 0 is {@code server_name_list<..> { name_type(1)=0 host_name<1..> }}.
 */
public final class ClientHello {
    /**
     * The largest ClientHello accepted, in bytes of the handshake message's body: the JDK's own
     * limit for any handshake message ({@code jdk.tls.maxHandshakeMessageSize}, default 32,768),
     * since its engine refuses anything larger anyway.
     */
    public static final int MAX_HELLO = maxHandshakeMessageSize();

    /**
     * The most wire bytes a ClientHello of {@link #MAX_HELLO} may take: its 4-byte header and the
     * 5-byte headers of the records that carry it, allowing records down to 512 bytes.
     */
    public static final int MAX_WIRE_BYTES = MAX_HELLO + 4 + 5 * ((MAX_HELLO + 4) / 512 + 1);

    /** What {@link #parse} found. */
    public sealed interface Result {
    }

    /** More bytes are needed. */
    public record NeedMore() implements Result {
    }

    /** A complete ClientHello; {@code serverName} is lower case, or null when the client sent none. */
    public record Hello(String serverName) implements Result {
    }

    /** A ClientHello whose handshake message declares {@code bytes}, more than {@link #MAX_HELLO}. */
    public record TooLarge(int bytes) implements Result {
    }

    /** Not TLS: {@code reason} says what it looks like; {@code http} if it looks like an HTTP request. */
    public record NotTls(String reason, boolean http) implements Result {
    }

    private static final NeedMore NEED_MORE = new NeedMore();

    private ClientHello() {
    }

    /** Parses {@code data} (read mode; position and limit are left as they were). */
    public static Result parse(ByteBuffer data) {
        ByteBuffer in = data.duplicate();
        if (!in.hasRemaining()) {
            return NEED_MORE;
        }
        int first = in.get(in.position()) & 0xff;
        if (first != 22) {
            return notTls(in);
        }
        // Gather the handshake bytes from successive handshake records.
        byte[] hs = new byte[0];
        int hsLength = -1;
        int pos = in.position();
        while (true) {
            if (in.limit() - pos < 5) {
                return NEED_MORE;
            }
            int type = in.get(pos) & 0xff;
            int major = in.get(pos + 1) & 0xff;
            int length = ((in.get(pos + 3) & 0xff) << 8) | (in.get(pos + 4) & 0xff);
            if (type != 22) {
                return new NotTls("a TLS record of type " + type + " where the ClientHello should continue", false);
            }
            if (major != 3 || length == 0 || length > 16384 + 2048) {
                return new NotTls("a malformed TLS record header (version " + major + ", length " + length + ")", false);
            }
            if (in.limit() - pos - 5 < length) {
                return NEED_MORE;
            }
            byte[] grown = new byte[hs.length + length];
            System.arraycopy(hs, 0, grown, 0, hs.length);
            in.get(pos + 5, grown, hs.length, length);
            hs = grown;
            pos += 5 + length;
            if (hsLength < 0 && hs.length >= 4) {
                if ((hs[0] & 0xff) != 1) {
                    return new NotTls("a TLS handshake message of type " + (hs[0] & 0xff) + " instead of a ClientHello", false);
                }
                hsLength = ((hs[1] & 0xff) << 16) | ((hs[2] & 0xff) << 8) | (hs[3] & 0xff);
                if (hsLength > MAX_HELLO) {
                    return new TooLarge(hsLength);
                }
            }
            if (hsLength >= 0 && hs.length >= 4 + hsLength) {
                return new Hello(serverName(ByteBuffer.wrap(hs, 4, hsLength).slice()));
            }
        }
    }

    private static int maxHandshakeMessageSize() {
        try {
            int configured = Integer.getInteger("jdk.tls.maxHandshakeMessageSize", 32_768);
            return configured > 0 ? configured : 32_768;
        } catch (SecurityException unreadable) {
            return 32_768;
        }
    }

    private static String serverName(ByteBuffer b) {
        try {
            skip(b, 2 + 32);
            skip(b, b.get() & 0xff);
            skip(b, b.getShort() & 0xffff);
            skip(b, b.get() & 0xff);
            if (b.remaining() < 2) {
                return null;
            }
            int extEnd = (b.getShort() & 0xffff) + b.position();
            while (b.position() + 4 <= extEnd) {
                int type = b.getShort() & 0xffff;
                int len = b.getShort() & 0xffff;
                if (type != 0) {
                    skip(b, len);
                    continue;
                }
                ByteBuffer list = b.slice(b.position(), len);
                int listEnd = (list.getShort() & 0xffff) + 2;
                while (list.position() + 3 <= listEnd) {
                    int nameType = list.get() & 0xff;
                    int nameLen = list.getShort() & 0xffff;
                    if (nameType == 0) {
                        byte[] name = new byte[nameLen];
                        list.get(name);
                        return new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
                    }
                    skip(list, nameLen);
                }
                return null;
            }
            return null;
        } catch (RuntimeException malformed) {
            return null; // the engine will refuse the ClientHello with a precise alert
        }
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    private static NotTls notTls(ByteBuffer in) {
        int n = Math.min(in.remaining(), 24);
        byte[] head = new byte[n];
        in.get(in.position(), head);
        StringBuilder shown = new StringBuilder();
        boolean printable = true;
        for (byte c : head) {
            if (c >= 32 && c < 127) {
                shown.append((char) c);
            } else if (c == '\r' || c == '\n') {
                shown.append(c == '\r' ? "\\r" : "\\n");
            } else {
                printable = false;
                shown.append(String.format("\\x%02x", c & 0xff));
            }
        }
        String text = new String(head, StandardCharsets.US_ASCII);
        boolean http = printable && java.util.regex.Pattern.compile("^(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PRI) ")
                .matcher(text).find();
        if ((head[0] & 0xff) == 0x80 || (head[0] & 0xff) >= 0x80 && n > 2 && head[2] == 1) {
            return new NotTls("an SSLv2-format hello (not supported: the client must speak TLS 1.2 or 1.3)", false);
        }
        return new NotTls((http ? "plaintext HTTP" : printable ? "plaintext" : "non-TLS bytes") + " '" + shown
                + (in.remaining() > n ? "...'" : "'"), http);
    }
}
