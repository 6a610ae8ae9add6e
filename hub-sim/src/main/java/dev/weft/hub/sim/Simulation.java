package dev.weft.hub.sim;

import java.util.Objects;

/**
 * One simulation run: its settings, its trace, the faults a test scripts, and the failure of the
 * simulation itself if one happened (input from a real thread, a livelock, the time limit).
 *
 * <p>Use: {@code Simulation sim = Simulation.prepare(settings);} then open a hub with the {@code sim}
 * backend on the same thread ({@code Hub.run("sim", main)}): that hub belongs to {@code sim}. After
 * the run, {@link #trace()} has the hash and the last records, {@link #failure()} the simulation's own
 * failure. The JUnit extension ({@code dev.weft.junit5.Simulation}) does all of this per seed.
 *
 * <p>What it cannot make deterministic, and how it says so: a task handed in by a real thread
 * ({@code execute} from a thread the code started, a foreign thread completing a future) is refused
 * with {@link java.util.concurrent.RejectedExecutionException} and fails the run; real files and
 * real sockets are not simulated (real sockets cannot be opened from a simulated hub's sockets API,
 * which only reaches the simulated network); code that starts its own threads, identity hash codes
 * iterated in order and {@code System.nanoTime()} read by user code are not seen, except by the
 * determinism check (the same seed run twice must give the same {@link Trace#hash()}).
 *
 * <p>Thread rule: the thread that prepared it, except {@link #failure()}.
 */
public final class Simulation {
    private static final ThreadLocal<Simulation> PENDING = new ThreadLocal<>();
    /** The virtual clock's reading when a run starts (only differences are meaningful). */
    static final long START_NANOS = 1_000_000_000L;
    /** The wall clock at the start of every run: 2030-01-01T00:00:00Z. */
    static final long EPOCH_MILLIS = 1_893_456_000_000L;

    private final SimSettings settings;
    private final Thread thread = Thread.currentThread();
    final Trace trace = new Trace(START_NANOS);
    final SimNet net;
    long now = START_NANOS;
    long jumps;
    long contended;
    private volatile SimulationException failure;
    private SimPoller poller;
    /** The host of fibers spawned outside {@link #onHost}: 127.0.0.1. */
    final SimHost local = new SimHost("local", java.net.InetAddress.getLoopbackAddress());
    private final java.util.Map<String, SimHost> hostsByAddress = new java.util.HashMap<>();
    private final java.util.Map<String, SimHost> hostsByName = new java.util.HashMap<>();
    /** Fiber id to host; filled only once a second host exists. */
    private final java.util.Map<Long, SimHost> hostOfFiber = new java.util.HashMap<>();
    private SimHost spawning;

    private Simulation(SimSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.net = new SimNet(settings.seed(), trace);
    }

    /**
     * A run with {@code settings}: the next hub opened with the {@code sim} backend on this thread
     * belongs to it. Replaces a prepared run that no hub took.
     */
    public static Simulation prepare(SimSettings settings) {
        Simulation s = new Simulation(settings);
        PENDING.set(s);
        return s;
    }

    /** The prepared run of this thread (cleared), or a new one from the system properties. */
    static Simulation takePending() {
        Simulation s = PENDING.get();
        PENDING.remove();
        if (s == null) {
            s = new Simulation(SimSettings.fromSystemProperties());
        }
        if (s.poller != null) {
            throw new IllegalStateException("this simulation already has its hub; prepare a new one per run");
        }
        if (s.thread != Thread.currentThread()) {
            throw new IllegalStateException("a simulation runs on the thread that prepared it");
        }
        return s;
    }

    void attach(SimPoller p) {
        poller = p;
    }

    /** The settings of this run. */
    public SimSettings settings() {
        return settings;
    }

    /** The trace of this run so far. */
    public Trace trace() {
        return trace;
    }

    /** Virtual time since the run began, in nanoseconds. */
    public long elapsedNanos() {
        return now - START_NANOS;
    }

    /** Virtual time since the run began, as text: "12.000345 s". */
    public String elapsed() {
        return String.format("%.6f s", elapsedNanos() / 1e9);
    }

    /** How often the clock jumped to the next timer or delivery because nothing was ready. */
    public long jumps() {
        return jumps;
    }

    /** Scheduling steps with two or more fibers ready (PCT's k for the next run of a test). */
    public long contendedSteps() {
        return contended;
    }

    /** Network deliveries so far. */
    public long deliveries() {
        return net.delivered;
    }

    /** The simulation's own failure (input from a real thread, a livelock, the time limit), or null. Any thread. */
    public SimulationException failure() {
        return failure;
    }

    void fail(String what) {
        if (failure == null) {
            failure = new SimulationException(what + " (" + settings.token() + ")");
        }
    }

    /**
     * A simulated machine named {@code name} with the made-up IPv4 or IPv6 literal {@code address}.
     *
     * @throws IllegalArgumentException if the name or address is taken, or the address is not a literal
     */
    public SimHost host(String name, String address) {
        java.net.InetAddress a;
        try {
            if (!address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new IllegalArgumentException("'" + address + "' is not an address literal; a simulated host"
                        + " needs a made-up address such as 10.0.0.1");
            }
            a = java.net.InetAddress.getByName(address); // a literal: parsed, never looked up
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + address + "' is not an address literal", e);
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || hostsByAddress.containsKey(a.getHostAddress())
                || hostsByName.containsKey(name) || name.equals(local.name())) {
            throw new IllegalArgumentException("host " + name + " (" + address + "): the name or address is taken"
                    + " (or is the loopback or wildcard, which mean 'this host' on every host)");
        }
        SimHost h = new SimHost(name, a);
        hostsByAddress.put(a.getHostAddress(), h);
        hostsByName.put(name, h);
        return h;
    }

    /**
     * Calls {@code spawner} so that the fibers it spawns (and theirs) belong to {@code host}: {@code
     * sim.onHost(server, () -> Fiber.spawn(...))}. Returns what it returns. Simulation thread, in a fiber
     * or outside.
     */
    public <T> T onHost(SimHost host, java.util.concurrent.Callable<T> spawner) throws Exception {
        SimHost before = spawning;
        spawning = java.util.Objects.requireNonNull(host, "host");
        try {
            return spawner.call();
        } finally {
            spawning = before;
        }
    }

    /** The fiber {@code id} was made ready while {@code parentId} ran: a new fiber inherits its host. */
    void fiberReady(long id, long parentId) {
        if (hostsByName.isEmpty() || id < 0) {
            return;
        }
        if (!hostOfFiber.containsKey(id)) {
            hostOfFiber.put(id, spawning != null ? spawning : hostOfFiber.getOrDefault(parentId, local));
        }
    }

    /** The host of the running fiber {@code id} (sockets it opens are that host's). */
    SimHost hostOf(long id) {
        if (spawning != null) {
            return spawning;
        }
        return hostsByName.isEmpty() ? local : hostOfFiber.getOrDefault(id, local);
    }

    /** The host with {@code address}, or null: 127.0.0.1 and the wildcard mean {@code self}. */
    SimHost hostAt(java.net.InetAddress address, SimHost self) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return self;
        }
        return hostsByAddress.get(address.getHostAddress());
    }

    /**
     * Separates every host of {@code a} from every host of {@code b}: segments between them (SYNs
     * too) are held, as a real network drops them and TCP retransmits, until {@link #heal()}.
     * Connections stay open; a peer's timeout ends them. Simulation thread.
     */
    public void partition(java.util.Collection<SimHost> a, java.util.Collection<SimHost> b) {
        for (SimHost x : a) {
            for (SimHost y : b) {
                net.partition(x, y);
            }
        }
        trace.add(Trace.DELIVERY, now, NetEvent.SCRIPT, -1);
    }

    /** Ends every partition; the held segments arrive, in order, one latency later. Simulation thread. */
    public void heal() {
        net.heal(now);
        trace.add(Trace.DELIVERY, now, NetEvent.SCRIPT, -2);
    }

    /**
     * Each segment's one-way latency is drawn from [min, max] from now on (default 100-150 µs), on every
     * link without its own ({@link #setLatency(java.util.Collection, java.util.Collection,
     * java.time.Duration, java.time.Duration)}). Simulation thread.
     */
    public void setLatency(java.time.Duration min, java.time.Duration max) {
        net.setLatency(min.toNanos(), max.toNanos());
    }

    /**
     * The latency of the links between every host of {@code a} and every host of {@code b}, both
     * directions: each segment's one-way latency is drawn from [min, max] by the seed, from now on (the
     * links between other hosts keep {@link #setLatency}'s range). Script it with {@link #at}.
     * Simulation thread.
     */
    public void setLatency(java.util.Collection<SimHost> a, java.util.Collection<SimHost> b, java.time.Duration min,
            java.time.Duration max) {
        for (SimHost x : a) {
            for (SimHost y : b) {
                net.setLinkLatency(x, y, min.toNanos(), max.toNanos());
            }
        }
        trace.add(Trace.DELIVERY, now, NetEvent.SCRIPT, -3);
    }

    /**
     * The bandwidth of the links between every host of {@code a} and every host of {@code b}, in bytes
     * per second in each direction ({@code 0}: unlimited, the default). A segment's delivery time is
     * then its latency plus its serialization time behind the earlier segments of that link: 1 MB
     * over a 1 MB/s link takes a second of virtual time. Each direction of each pair of hosts is its
     * own link (two clients of one server do not share a bandwidth). Applies to segments sent from now
     * on; script it with {@link #at}. Simulation thread.
     *
     * @throws IllegalArgumentException if {@code bytesPerSecond} is negative
     */
    public void setBandwidth(java.util.Collection<SimHost> a, java.util.Collection<SimHost> b, long bytesPerSecond) {
        for (SimHost x : a) {
            for (SimHost y : b) {
                net.setLinkBandwidth(x, y, bytesPerSecond);
            }
        }
        trace.add(Trace.DELIVERY, now, NetEvent.SCRIPT, -4);
    }

    /**
     * From now on each datagram is lost with probability {@code loss} and, if not, sent twice with
     * probability {@code duplication}, drawn from the seed (default 0 and 0; datagrams reorder anyway,
     * each with its own latency). Simulation thread.
     */
    public void setDatagramFaults(double loss, double duplication) {
        net.setDatagramFaults(loss, duplication);
    }

    /**
     * Resets every open connection now, as a middlebox dropping its state would: both ends read
     * "Connection reset" once their data so far has arrived. Simulation thread.
     */
    public void resetAll() {
        for (SimStream s : new java.util.ArrayList<>(net.streams)) {
            s.resetByNetwork();
        }
    }

    /**
     * A {@link java.security.SecureRandom} drawn from this run's seed and {@code purpose} (give each
     * party its own: "server", "client"), for {@code SSLContext.init(km, tm, random)} in a simulated
     * test. <b>For simulation only: it is not secure.</b> JSSE also draws randomness outside its
     * context (see the README's limits of simulation), so TLS bytes are not all determined by it.
     */
    public java.security.SecureRandom secureRandom(String purpose) {
        return new SeededSecureRandom(settings.seed() * 0x9E3779B97F4A7C15L ^ purpose.hashCode());
    }

    /**
     * Runs {@code action} on the hub (outside any fiber, like a timer) when the virtual clock reaches
     * {@code at} after the start: "reset every connection at t=3 s". Simulation thread.
     */
    public void at(java.time.Duration at, Runnable action) {
        long t = START_NANOS + at.toNanos();
        net.at(Math.max(t, now), NetEvent.SCRIPT, 0, null, null, action);
    }
}
