package dev.weft.websocket.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** {@code Sec-WebSocket-Key} and {@code Sec-WebSocket-Accept} (RFC 6455 sections 4.1 and 4.2.2). */
public final class HandshakeKeys {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    private HandshakeKeys() {
    }

    /** A fresh client key: 16 random bytes, base64. */
    public static String newKey() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Whether {@code key} is a valid client key: base64 of exactly 16 bytes. */
    public static boolean isValidKey(String key) {
        try {
            return key != null && Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /** The server's answer to {@code key}: base64(SHA-1(key + the RFC's GUID)). */
    public static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-1, which RFC 6455 requires", e);
        }
    }
}
