package dev.weft.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Baseline: two JDK virtual threads on one carrier thread bounce a token through two
 * {@code SynchronousQueue}s, the plain blocking-code way.
 */
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE, JvmArgs.ONE_CARRIER})
public class VirtualThreadSynchronousQueuePingPong extends ThreadPingPongBenchmark {
    @Override
    ThreadPingPong pair() {
        return new SynchronousQueuePingPong(Thread.ofVirtual().name("vt-", 0));
    }
}
