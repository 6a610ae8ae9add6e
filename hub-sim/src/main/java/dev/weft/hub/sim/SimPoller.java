package dev.weft.hub.sim;

import dev.weft.hub.DatagramHandle;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Poller;
import dev.weft.hub.ReadyOrder;
import dev.weft.hub.Simulated;
import dev.weft.hub.StreamHandle;
import java.net.ProtocolFamily;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The poller of a simulated hub: the virtual clock, the seeded ready order and the in-memory network
 * of its {@link Simulation}. {@link #poll} never blocks: it fires the handles whose readiness changed
 * and, when the loop would wait, jumps the clock to the loop's next timer or the next network
 * delivery, whichever comes first. So {@code Fiber.sleep(Duration.ofHours(1))} is one loop iteration.
 *
 * <p>Thread rule: the simulation's thread; {@link #wakeup()} and {@link #refuseForeignTask} from any.
 */
final class SimPoller implements Poller, Simulated {
    private final Thread thread = Thread.currentThread();
    final Simulation sim;
    final SimNet net;
    private final SimOrder order;
    private final long stepNanos;
    private final long limitAt;
    private boolean limitReported;
    /** Set once the simulation's failure was thrown into the run (it is thrown once). */
    private boolean failureThrown;
    /** Handles whose readiness may have changed: their armed callbacks fire at the next poll. */
    private ArrayList<SimHandle> touched = new ArrayList<>();
    private ArrayList<SimHandle> firing = new ArrayList<>();

    SimPoller(Simulation sim) {
        this.sim = sim;
        this.net = sim.net;
        this.stepNanos = sim.settings().stepNanos();
        this.limitAt = Simulation.START_NANOS + sim.settings().limitNanos();
        this.order = SimOrder.of(this, sim.settings());
        sim.attach(this);
    }

    /** A decision: fiber {@code id} runs, chosen among {@code ready}; it costs the step's virtual time. */
    void stepped(long id, int ready) {
        sim.trace.add(Trace.DECISION, sim.now, id, ready);
        if (ready > 1) {
            sim.contended++;
        }
        sim.now += stepNanos;
        if (sim.failure() != null && !failureThrown) {
            failureThrown = true;
            throw sim.failure();
        }
    }

    SimulationException livelock(long fiber, int spins) {
        sim.fail("livelock at t=" + sim.elapsed() + ": fiber #" + fiber + " threw " + spins + " interruptions in one"
                + " step without switching (a retry loop that never lets the hub run: timers, I/O and other fibers"
                + " starve). Last records:\n" + sim.trace.last());
        failureThrown = true;
        return sim.failure();
    }

    /** The host of the fiber running now (or being spawned inside {@link Simulation#onHost}). */
    SimHost currentHost() {
        return sim.hostOf(SimOrder.idOf(order.running));
    }

    void touch(SimHandle h) {
        touched.add(h);
    }

    private int fireTouched() {
        int n = 0;
        while (!touched.isEmpty()) {
            ArrayList<SimHandle> now = touched;
            touched = firing;
            firing = now;
            for (SimHandle h : now) {
                n += h.fire();
            }
            now.clear();
        }
        return n;
    }

    @Override
    public long nanoTime() {
        return sim.now;
    }

    @Override
    public long currentTimeMillis() {
        return Simulation.EPOCH_MILLIS + (sim.now - Simulation.START_NANOS) / 1_000_000L;
    }

    @Override
    public boolean canWake() {
        return net.pending() || !touched.isEmpty();
    }

    @Override
    public ReadyOrder readyOrder() {
        return order;
    }

    @Override
    public RejectedExecutionException refuseForeignTask(Thread from) {
        String what = "nondeterministic input: thread '" + from.getName() + "' handed a task to the simulated hub at"
                + " t=" + sim.elapsed() + ". A simulation accepts only events made inside it (fibers, timers, the"
                + " simulated network); code that starts its own threads or waits for real I/O cannot be replayed"
                + " from a seed. Keep such code out of the simulation.";
        sim.fail(what);
        return new RejectedExecutionException(what);
    }

    @Override
    public String backendName() {
        return "sim";
    }

    @Override
    public int poll(long timeoutNanos) {
        int fired = fireTouched();
        if (fired == 0 && timeoutNanos != 0) {
            long next = net.next();
            long until = timeoutNanos < 0 ? next : Math.min(next, sim.now + timeoutNanos);
            if (until != Long.MAX_VALUE && until > sim.now) {
                if (until > limitAt && !limitReported) {
                    limitReported = true; // the shutdown that follows may let time pass again
                    sim.fail("the run did not finish within " + String.format("%.3f", sim.settings().limitNanos() / 1e9)
                            + " s of virtual time (it would wait until t=" + String.format("%.6f", (until
                            - Simulation.START_NANOS) / 1e9) + " s). Last records:\n" + sim.trace.last());
                    failureThrown = true;
                    throw sim.failure();
                }
                sim.trace.add(Trace.JUMP, sim.now, until - sim.now, 0);
                sim.now = until;
                sim.jumps++;
            }
        }
        net.deliver(sim.now);
        return fired + fireTouched();
    }

    @Override
    public void wakeup() {
        // never blocks, so there is nothing to wake; input from other threads is refused in EventLoop.execute
    }

    @Override
    public StreamHandle openStream(ProtocolFamily family) {
        checkThread();
        return new SimStream(this);
    }

    @Override
    public ListenerHandle openListener(ProtocolFamily family) {
        checkThread();
        return new SimListener(this);
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) {
        checkThread();
        return new SimDatagram(this);
    }

    private void checkThread() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a simulated hub's sockets are opened on its own thread");
        }
    }

    @Override
    public void close() {
        for (SimStream s : new ArrayList<>(net.streams)) {
            if (s.poller == this) {
                s.close();
            }
        }
    }
}
