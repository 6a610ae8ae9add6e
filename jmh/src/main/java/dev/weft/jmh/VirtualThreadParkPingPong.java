package dev.weft.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Baseline: two JDK virtual threads on one carrier thread bounce control with
 * {@code LockSupport.park/unpark} (a virtual-thread switch: unmount, scheduler queue, mount).
 */
@Fork(value = 1, jvmArgsAppend = {JvmArgs.NATIVE, JvmArgs.ONE_CARRIER})
public class VirtualThreadParkPingPong extends ThreadPingPongBenchmark {
    @Override
    ThreadPingPong pair() {
        return new ParkPingPong(Thread.ofVirtual().name("vt-", 0));
    }
}
