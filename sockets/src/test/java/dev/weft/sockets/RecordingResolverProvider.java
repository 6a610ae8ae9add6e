package dev.weft.sockets;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * The JVM's name resolver in these tests (a real {@link InetAddressResolverProvider}, registered in
 * {@code META-INF/services}): records the thread of every lookup, so a test can prove that no lookup
 * ran on a hub thread; names ending in {@value #SUFFIX} resolve to 127.0.0.1, every other name goes
 * to the JDK's built-in resolver.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {
    static final String SUFFIX = ".weft-test";
    /** "name on thread", in lookup order. */
    static final Queue<String> LOOKUPS = new ConcurrentLinkedQueue<>();

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.add(host + " on " + Thread.currentThread().getName());
                if (host.endsWith(SUFFIX)) {
                    return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "weft-test-recording-resolver";
    }

    /** The recorded lookups of {@code host}. */
    static List<String> lookupsOf(String host) {
        return LOOKUPS.stream().filter(l -> l.startsWith(host + " on ")).toList();
    }
}
