package dev.weft.tls;

import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** The words a failed handshake reports: the engine's message with what it most likely means. Any thread. */
final class HandshakeErrors {
    private HandshakeErrors() {
    }

    /** {@code e}, as the engine threw it, with a hint saying what to check; {@code peer} names the other side. */
    static SSLHandshakeException explain(SSLException e, SSLEngine engine, String peer) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        String hint = "";
        if (msg.contains("No subject alternative") || msg.contains("No name matching")) {
            hint = " (the certificate does not name the host we connected to: connect with the name it was issued"
                    + " for, or fix the certificate's subjectAltName)";
        } else if (msg.contains("PKIX path") || msg.contains("unable to find valid certification path")) {
            hint = " (the peer's certificate is not trusted: give the SSLContext a trust store holding its CA)";
        } else if (msg.contains("Unsupported or unrecognized SSL message")) {
            hint = " (the peer is not speaking TLS: a plaintext client or server on this port?)";
        } else if (msg.contains("no_application_protocol") || msg.contains("No matching application protocol")) {
            hint = " (ALPN: no application protocol in common; we offered "
                    + Arrays.toString(engine.getSSLParameters().getApplicationProtocols()) + ")";
        } else if (msg.contains("protocol") && msg.contains("not") || msg.contains("No appropriate protocol")) {
            hint = " (no TLS version in common: check both sides' enabled protocols)";
        }
        SSLHandshakeException x = new SSLHandshakeException("TLS handshake with " + peer + " failed: " + msg + hint);
        x.initCause(e);
        return x;
    }
}
