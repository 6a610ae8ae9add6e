package dev.weft.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Baseline: two platform threads bounce control with {@code LockSupport.park/unpark}: what
 * thread-per-connection code pays per hand-off (a futex wake and an OS context switch).
 */
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE})
public class PlatformThreadParkPingPong extends ThreadPingPongBenchmark {
    @Override
    ThreadPingPong pair() {
        return new ParkPingPong(Thread.ofPlatform().daemon().name("pt-", 0));
    }
}
