package dev.weft.jmh;

import dev.weft.fibers.Hub;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Base of the fiber benchmarks: one hub on the benchmark thread for the whole trial, entered once
 * per invocation with {@link Hub#call}. Fibers made in {@link #prepare()} stay parked between
 * invocations, so an invocation measures only its loop (one fiber spawn per invocation, amortized
 * over thousands of operations).
 *
 * <p>{@code backend} is the hub backend ({@code nio}, {@code epoll}, {@code kqueue}); {@code
 * ./weft bench} passes the ones this machine has.
 */
@State(Scope.Thread)
public abstract class OnHub {
    @Param({"nio"})
    public String backend;

    protected Hub hub;

    @Setup(Level.Trial)
    public final void openHub() throws Exception {
        hub = Hub.open(backend);
        hub.call(() -> {
            prepare();
            return null;
        });
    }

    /** Runs once per trial inside a fiber of the hub: spawn the partner fibers here. */
    protected void prepare() throws Exception {
    }

    @TearDown(Level.Trial)
    public final void closeHub() {
        hub.close();
    }
}
