package dev.weft.hub.sim;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.SplittableRandom;

/**
 * A {@link SecureRandom} whose bytes come from a {@link SplittableRandom} seeded by a simulation's
 * seed: the same seed gives the same bytes. <b>For simulation only: it is not secure</b> (anyone
 * who knows the seed knows every key made from it). Give it to {@code SSLContext.init(km, tm,
 * random)} in a simulated test so that the TLS randomness JSSE draws from its context (hello
 * randoms, key shares, session IDs) is part of the seed. {@link #setSeed} is ignored (a reseed would
 * make a run depend on the caller). Any thread, though a simulation uses it on its own.
 */
final class SeededSecureRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    SeededSecureRandom(long seed) {
        super(new Spi(seed), null);
    }

    @Override
    public String getAlgorithm() {
        return "weft-simulation-seeded (not secure)";
    }

    /** The bytes: a SplittableRandom's stream. */
    private static final class Spi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final SplittableRandom random;

        Spi(long seed) {
            random = new SplittableRandom(seed);
        }

        @Override
        protected synchronized void engineSetSeed(byte[] seed) {
            // ignored: the stream depends on the simulation's seed only
        }

        @Override
        protected synchronized void engineNextBytes(byte[] bytes) {
            random.nextBytes(bytes);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            byte[] b = new byte[numBytes];
            engineNextBytes(b);
            return b;
        }
    }
}
