package dev.weft.jmh.echo;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS echo benchmark's key: a self-signed EC P-256 certificate for localhost made by the JDK's
 * keytool in a temp directory (never committed), handed to the server JVMs with {@code
 * -Dweft.echo.keystore}. Both servers and the load generator use the JDK's TLS provider.
 */
public final class TlsKeys {
    static final String PASSWORD = "weft-bench";
    public static final String PROPERTY = "weft.echo.keystore";

    private TlsKeys() {
    }

    /** Makes a key store in a new temp directory, deleted with it when this JVM exits; returns its path. */
    public static Path generate() throws Exception {
        Path dir = Files.createTempDirectory("weft-echo-tls");
        Path p12 = dir.resolve("localhost.p12");
        // deleteOnExit deletes in the reverse order of registration: the key store first, then its
        // (then empty) directory; registered the other way round the directory stayed behind
        dir.toFile().deleteOnExit();
        p12.toFile().deleteOnExit();
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", p12.toString(), "-storetype",
                "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + said);
        }
        return p12;
    }

    public static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    /**
     * The JDK's default key manager ({@code SunX509}), which reads the private key once. The {@code
     * PKIX} one looks the key up in the key store on each handshake and keeps it only behind a soft
     * reference: during a burst the collector clears it again and again, and each lookup decrypts the
     * PKCS12 entry anew (PBKDF2), 65 % of a Weft server's CPU in a 1,000-connection burst here, and
     * the same for Netty's.
     */
    static KeyManagerFactory keyManagers(Path p12) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(p12), PASSWORD.toCharArray());
        return kmf;
    }

    /** The server side for Weft: a JDK context presenting the key. */
    public static SSLContext serverContext(Path p12) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers(p12).getKeyManagers(), null, null);
        return ctx;
    }

    /**
     * The server side for Netty: SslHandler over the JDK provider (not OpenSSL/BoringSSL), with the
     * JDK's default cipher suites in the JDK's order, as the JDK-based servers compared with it use.
     * Netty's own default list puts {@code TLS_AES_128_GCM_SHA256} first, the JDK's {@code
     * TLS_AES_256_GCM_SHA384}: left to its default, Netty's TLS 1.3 handshakes used AES-128 and
     * SHA-256 while Weft's and the JDK server's used AES-256 and SHA-384 (a costlier key schedule),
     * and a burst compared the two suites rather than the two servers.
     */
    static SslContext nettyServer(Path p12) throws Exception {
        List<String> jdkOrder = List.of(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
        return SslContextBuilder.forServer(keyManagers(p12)).sslProvider(SslProvider.JDK).ciphers(jdkOrder).build();
    }

    /** The load generator: Netty SslHandler, JDK provider, trusting the certificate. */
    static SslContext nettyClient(Path p12) throws Exception {
        java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) load(p12).getCertificate("localhost");
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(cert).build();
    }

    public static Path fromProperty() {
        String p = System.getProperty(PROPERTY);
        if (p == null) {
            throw new IllegalStateException("TLS echo servers need -D" + PROPERTY + "=<PKCS12 key store> (EchoBench passes it)");
        }
        return Path.of(p);
    }
}
