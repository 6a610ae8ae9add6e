package dev.weft.jmh;

/** The JVM flags every benchmark fork needs, as compile-time constants for {@code @Fork}. */
final class JvmArgs {
    /** Weft's fibers run on {@code jdk.internal.vm.Continuation}. */
    static final String EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";
    /** Netty loads its epoll/kqueue library; JDK 24+ warns without this. */
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    /**
     * Virtual-thread baselines run on one carrier thread, as a hub runs on one thread: the
     * comparison is one thread's switching cost against another's, not parallel speed-up.
     */
    static final String ONE_CARRIER = "-Djdk.virtualThreadScheduler.parallelism=1";

    private JvmArgs() {
    }
}
