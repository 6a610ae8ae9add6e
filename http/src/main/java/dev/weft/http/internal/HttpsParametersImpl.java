package dev.weft.http.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.net.InetSocketAddress;
import java.util.Objects;
import javax.net.ssl.SSLParameters;

/**
 * The {@link HttpsParameters} one connection's {@link HttpsConfigurator#configure} fills in, and
 * their application to that connection's engine parameters the way the JDK's own HTTPS server
 * applies them: the {@link SSLParameters} the configurator set (the default {@code configure} sets
 * the context's defaults), else the deprecated per-field settings (cipher suites, protocols, client
 * authentication).
 *
 * <p>Thread rule: the connection's fiber.
 */
final class HttpsParametersImpl extends HttpsParameters {
    private final HttpsConfigurator configurator;
    private final InetSocketAddress client;
    private SSLParameters parameters;

    private HttpsParametersImpl(HttpsConfigurator configurator, InetSocketAddress client) {
        this.configurator = configurator;
        this.client = client;
    }

    /** Runs {@code configurator.configure} for a connection from {@code client} and applies the result to {@code target}. */
    static void configure(HttpsConfigurator configurator, InetSocketAddress client, SSLParameters target) {
        HttpsParametersImpl p = new HttpsParametersImpl(configurator, client);
        configurator.configure(p);
        p.applyTo(target);
    }

    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return configurator;
    }

    @Override
    public InetSocketAddress getClientAddress() {
        return client;
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        this.parameters = Objects.requireNonNull(params, "params");
    }

    /** As {@code SSLEngine.setSSLParameters(parameters)} would: a null field leaves the engine's setting. */
    @SuppressWarnings("deprecation")
    private void applyTo(SSLParameters t) {
        SSLParameters s = parameters;
        if (s == null) {
            if (getCipherSuites() != null) {
                t.setCipherSuites(getCipherSuites());
            }
            if (getProtocols() != null) {
                t.setProtocols(getProtocols());
            }
            if (getNeedClientAuth()) {
                t.setNeedClientAuth(true);
            } else if (getWantClientAuth()) {
                t.setWantClientAuth(true);
            }
            return;
        }
        if (s.getCipherSuites() != null) {
            t.setCipherSuites(s.getCipherSuites());
        }
        if (s.getProtocols() != null) {
            t.setProtocols(s.getProtocols());
        }
        if (s.getNeedClientAuth()) {
            t.setNeedClientAuth(true);
        } else {
            t.setWantClientAuth(s.getWantClientAuth()); // also clears "need"
        }
        if (s.getAlgorithmConstraints() != null) {
            t.setAlgorithmConstraints(s.getAlgorithmConstraints());
        }
        t.setEndpointIdentificationAlgorithm(s.getEndpointIdentificationAlgorithm());
        if (s.getServerNames() != null) {
            t.setServerNames(s.getServerNames());
        }
        if (s.getSNIMatchers() != null) {
            t.setSNIMatchers(s.getSNIMatchers());
        }
        t.setUseCipherSuitesOrder(s.getUseCipherSuitesOrder());
        t.setEnableRetransmissions(s.getEnableRetransmissions());
        t.setMaximumPacketSize(s.getMaximumPacketSize());
        t.setApplicationProtocols(s.getApplicationProtocols());
        if (s.getSignatureSchemes() != null) {
            t.setSignatureSchemes(s.getSignatureSchemes());
        }
        if (s.getNamedGroups() != null) {
            t.setNamedGroups(s.getNamedGroups());
        }
    }
}
