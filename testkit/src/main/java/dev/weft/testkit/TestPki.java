package dev.weft.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI made by the JDK's keytool in a temp directory, once per test JVM: a CA, a
 * certificate for {@code localhost} and 127.0.0.1, one for {@code other.test}, each signed by the CA
 * (EC P-256). Nothing is committed; the directory is deleted when the JVM exits. keytool runs in-process
 * when the JVM has {@code --add-exports java.base/sun.security.tools.keytool=ALL-UNNAMED} (the parent
 * pom's Surefire set-up), else as the {@code keytool} program (seconds per call on a loaded machine).
 *
 * <p>Loading this class lowers the TLS key-update limits (see the static block). Any thread.
 */
public final class TestPki {
    /** The password of every key store here. */
    public static final String PASSWORD = "weft-test";

    static {
        // TLS 1.3 key updates every 1 MiB instead of every 2^37 bytes, so that the large transfers in
        // these tests make the peer (and the JDK) send KeyUpdate messages mid-stream: the reader must
        // answer them through the writer's side while a writer fiber is sending.
        java.security.Security.setProperty("jdk.tls.keyLimits",
                "AES/GCM/NoPadding KeyUpdate 2^20, ChaCha20-Poly1305 KeyUpdate 2^20");
    }
    private static TestPki instance;

    /** Where the key stores are (a temporary directory, deleted at exit); tests may put files of their own there. */
    public final Path dir;
    /** The CA certificate (PEM), for curl --cacert and openssl -CAfile. */
    public final Path caPem;
    /** Key and certificate for {@code localhost} and 127.0.0.1 (PKCS#12, {@link #PASSWORD}). */
    public final Path localhostP12;
    /** Key and certificate for {@code other.test} (PKCS#12, {@link #PASSWORD}). */
    public final Path otherP12;
    /** A client certificate and its intermediate CA for mutual TLS ({@link #clientWithIntermediate}). */
    public final Path clientP12;

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        Path ca = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Weft Test CA",
                "-ext", "bc:c", "-validity", "3", "-keystore", ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
        this.localhostP12 = leaf(ca, "localhost", "SAN=dns:localhost,ip:127.0.0.1", "serverAuth", "EC");
        this.otherP12 = leaf(ca, "other.test", "SAN=dns:other.test", "serverAuth", "EC");
        this.clientP12 = clientWithIntermediate(ca);
    }

    /** The PKI of this JVM, made at the first call (seconds), which also warms the JDK's TLS stack up. */
    public static synchronized TestPki get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("weft-tls-pki");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Trees.deleteQuietly(dir)));
            java.io.PrintStream out = System.out;
            java.io.PrintStream err = System.err;
            java.io.ByteArrayOutputStream chatter = new java.io.ByteArrayOutputStream();
            try {
                System.setOut(new java.io.PrintStream(chatter, true, StandardCharsets.UTF_8)); // keytool talks
                System.setErr(System.out);
                instance = new TestPki(dir);
            } catch (Exception e) {
                throw new IOException(e + "; keytool said: " + chatter.toString(StandardCharsets.UTF_8), e);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            instance.warmUp();
        }
        return instance;
    }

    private Path leaf(Path ca, String cn, String san, String extendedKeyUsage, String keyAlgorithm) throws Exception {
        return signed(ca, "ca", List.of(caPem), cn, keyAlgorithm, san, "KU=digitalSignature",
                "EKU=" + extendedKeyUsage);
    }

    /**
     * A key store holding a new key for {@code cn} and its certificate, issued by the key {@code
     * issuerAlias} of {@code issuer} with the extensions {@code ext}; {@code chain} are the issuer's
     * certificates up to the root (PEM files), imported first so that the store holds the whole chain.
     */
    private Path signed(Path issuer, String issuerAlias, List<Path> chain, String cn, String keyAlgorithm, String... ext)
            throws Exception {
        Path p12 = dir.resolve(cn + ".p12");
        Path csr = dir.resolve(cn + ".csr");
        Path pem = dir.resolve(cn + ".pem");
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", "leaf", "-dname", "CN=" + cn,
                "-validity", "3", "-keystore", p12.toString()));
        generate.addAll(keyAlgorithm.equals("EC") ? List.of("-keyalg", "EC", "-groupname", "secp256r1")
                : List.of("-keyalg", "RSA", "-keysize", "4096"));
        keytool(generate.toArray(String[]::new));
        keytool("-certreq", "-alias", "leaf", "-keystore", p12.toString(), "-file", csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", issuerAlias, "-keystore", issuer.toString(),
                "-infile", csr.toString(), "-outfile", pem.toString(), "-rfc", "-validity", "3"));
        for (String e : ext) {
            sign.addAll(List.of("-ext", e));
        }
        keytool(sign.toArray(String[]::new));
        for (int i = 0; i < chain.size(); i++) {
            keytool("-importcert", "-alias", "chain" + i, "-file", chain.get(i).toString(), "-keystore", p12.toString(),
                    "-noprompt");
        }
        keytool("-importcert", "-alias", "leaf", "-file", pem.toString(), "-keystore", p12.toString(), "-noprompt");
        return p12;
    }

    /**
     * The client certificate for mutual TLS: CN=client.test (extended key usage clientAuth), issued by
     * an intermediate CA ("Weft Test Client CA") under the test CA, both RSA 4096, as client PKIs
     * often are. Presented with its intermediate, the chain is about 2.6 KB, and the JDK puts the
     * whole chain into the session tickets it issues.
     */
    private Path clientWithIntermediate(Path ca) throws Exception {
        Path intermediate = signed(ca, "ca", List.of(caPem), "Weft Test Client CA", "RSA", "bc:c", "KU=keyCertSign");
        Path intermediatePem = dir.resolve("Weft Test Client CA.pem");
        return signed(intermediate, "leaf", List.of(caPem, intermediatePem), "client.test", "RSA", "SAN=dns:client.test",
                "KU=digitalSignature", "EKU=clientAuth");
    }

    /** A context that presents {@code keyStore}'s key (null: none) and trusts the test CA. */
    public SSLContext context(Path keyStore) throws Exception {
        return context(keyStore, null);
    }

    /** {@link #context(Path)} drawing its randomness from {@code random} (null: the JDK's default). */
    public SSLContext context(Path keyStore, java.security.SecureRandom random) throws Exception {
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            Certificate caCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("ca", caCert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), random);
        return ctx;
    }

    /** A server context presenting the {@code localhost} certificate. */
    public SSLContext serverContext() throws Exception {
        return context(localhostP12);
    }

    /** A server context presenting the {@code other.test} certificate. */
    public SSLContext otherContext() throws Exception {
        return context(otherP12);
    }

    /** A client context that trusts the test CA and presents no certificate. */
    public SSLContext clientContext() throws Exception {
        return context(null);
    }

    /** A client context that presents the client certificate (mutual TLS) and trusts the test CA. */
    public SSLContext clientCertificateContext() throws Exception {
        return context(clientP12);
    }

    /** Key and chain of {@code p12} as one PEM file (for openssl s_server -cert/-key), made by openssl. */
    public Path pem(Path p12) throws Exception {
        Path out = dir.resolve(p12.getFileName() + ".all.pem");
        if (!Files.exists(out)) {
            run(List.of(Tools.require("openssl", "openssl").toString(), "pkcs12", "-in", p12.toString(), "-passin",
                    "pass:" + PASSWORD, "-nodes", "-out", out.toString()));
        }
        return out;
    }

    /**
     * One handshake between two engines in memory, off any hub: the JDK loads and initialises its
     * TLS stack (about a second on a loaded machine) here, not inside the first test's hub, where
     * the watchdog would rightly report the hub blocked.
     */
    private void warmUp() throws Exception {
        javax.net.ssl.SSLEngine c = clientContext().createSSLEngine("localhost", 1);
        c.setUseClientMode(true);
        javax.net.ssl.SSLEngine s = serverContext().createSSLEngine();
        s.setUseClientMode(false);
        int size = 64 * 1024;
        java.nio.ByteBuffer c2s = java.nio.ByteBuffer.allocate(size);
        java.nio.ByteBuffer s2c = java.nio.ByteBuffer.allocate(size);
        java.nio.ByteBuffer app = java.nio.ByteBuffer.allocate(size);
        java.nio.ByteBuffer none = java.nio.ByteBuffer.allocate(0);
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 100 && !(done(c) && done(s)); i++) {
            c.wrap(none, c2s);
            s.wrap(none, s2c);
            c2s.flip();
            s2c.flip();
            s.unwrap(c2s, app.clear());
            c.unwrap(s2c, app.clear());
            c2s.compact();
            s2c.compact();
            for (javax.net.ssl.SSLEngine e : List.of(c, s)) {
                for (Runnable t; (t = e.getDelegatedTask()) != null; ) {
                    t.run();
                }
            }
        }
    }

    private static boolean done(javax.net.ssl.SSLEngine e) {
        return e.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    /** The first flight of a JDK TLS client (a ClientHello for localhost), as sent on the wire. */
    public static byte[] clientHello() throws Exception {
        javax.net.ssl.SSLEngine e = get().clientContext().createSSLEngine("localhost", 443);
        e.setUseClientMode(true);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(java.nio.ByteBuffer.allocate(0), out);
        byte[] b = new byte[out.flip().remaining()];
        out.get(b);
        return b;
    }

    private static void keytool(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD, "-storetype", "PKCS12"));
        try {
            Class<?> main = Class.forName("sun.security.tools.keytool.Main");
            Object tool = main.getConstructor().newInstance();
            java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
            main.getMethod("run", String[].class, java.io.PrintStream.class)
                    .invoke(tool, all.toArray(String[]::new), new java.io.PrintStream(said, true, StandardCharsets.UTF_8));
            return;
        } catch (ReflectiveOperationException | IllegalAccessError notExported) {
            if (notExported instanceof java.lang.reflect.InvocationTargetException ite) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + ite.getCause(), ite.getCause());
            }
            // no --add-exports for keytool: run the tool itself (slower)
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD, "-storetype", "PKCS12"));
        run(cmd);
    }

    private static void run(List<String> cmd) throws Exception {
        Processes.Result r = Processes.run(cmd, 60);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r);
        }
    }
}
