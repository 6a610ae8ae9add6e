package dev.weft.fibers;

import dev.weft.hub.IoHandle;
import dev.weft.hub.StreamHandle;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The fiber dump (gevent's {@code print_run_info}, the JDK's {@code jcmd Thread.dump_to_file} for
 * virtual threads): every live fiber of a hub as a tree, parent above children, with its state,
 * what it waits on (the object; for a socket, its peer), for how long, and its stack.
 *
 * <p>Reach it with {@link Hub#dump()} (one hub, its thread), {@link Hub#dumpAll()} (every hub of the
 * JVM, any thread) or, from outside the process, with a signal: start the JVM with
 * {@code -Dweft.dump.signal=USR2} and run {@code kill -USR2 <pid>}; the dump goes to standard error,
 * or appended to the file {@code -Dweft.dump.file} names. (SIGQUIT, the JVM's own thread dump,
 * cannot be shared.) How long each fiber has waited is known only while wait timing is on:
 * {@code -Dweft.dump.waits=true}, or while a JFR recording takes {@code weft.FiberWait}.
 */
final class HubDump {
    private static final Set<Hub> HUBS = ConcurrentHashMap.newKeySet();
    static final String SIGNAL = System.getProperty("weft.dump.signal", "");
    private static final int MAX_FRAMES = 40;

    static {
        if (!SIGNAL.isEmpty()) {
            installSignal(SIGNAL);
        }
    }

    private HubDump() {
    }

    static void register(Hub hub) {
        HUBS.add(hub);
    }

    static void unregister(Hub hub) {
        HUBS.remove(hub);
    }

    static Set<Hub> hubs() {
        return HUBS;
    }

    /** The dump of one hub; its thread. */
    static String dump(Hub hub) {
        hub.checkThread("Hub.dump");
        List<Fiber<?>> live = hub.fibers();
        StringBuilder sb = new StringBuilder("Weft hub on thread '").append(hub.thread().getName()).append("' (")
                .append(hub.backendName()).append("): ").append(live.size()).append(" live fibers, ")
                .append(hub.core.live.spawnedCount()).append(" spawned since it opened\n");
        Map<Long, Fiber<?>> byId = new HashMap<>();
        for (Fiber<?> f : live) {
            byId.put(f.id(), f);
        }
        Map<Long, List<Fiber<?>>> children = new LinkedHashMap<>();
        List<Fiber<?>> roots = new ArrayList<>();
        for (int i = live.size() - 1; i >= 0; i--) { // oldest first
            Fiber<?> f = live.get(i);
            long parent = f.parentId();
            if (parent != 0 && byId.containsKey(parent)) {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(f);
            } else {
                roots.add(f);
            }
        }
        long now = hub.loop.nanoTime();
        for (Fiber<?> f : roots) {
            appendTree(sb, f, children, 1, now);
        }
        if (!WaitTiming.DUMP_WAITS && hub.core.waitSinceMap() == null) {
            sb.append("  (wait times are off: -Dweft.dump.waits=true, or a JFR recording of weft.FiberWait, turns them on)\n");
        }
        return sb.toString();
    }

    private static void appendTree(StringBuilder sb, Fiber<?> f, Map<Long, List<Fiber<?>>> children, int depth,
            long now) {
        String indent = "  ".repeat(depth);
        FiberCore core = f.core;
        sb.append(indent).append(f).append(' ').append(core.state);
        if (f.parentId() != 0 && depth == 1) {
            sb.append(" (spawned by ").append(f.parentLabel()).append(", ended)");
        }
        Object blocker = core.blocker;
        if (core.state == FiberState.WAITING && blocker != null) {
            sb.append(" on ").append(describeBlocker(blocker));
        } else if (core.state == FiberState.NEW && blocker != null) {
            sb.append(", waiting for ").append(blocker instanceof dev.weft.hub.Timer ? "its start time" : blocker);
        }
        Map<FiberCore, WaitTiming.Mark> since = core.hub.waitSinceMap();
        WaitTiming.Mark mark = since == null ? null : since.get(core);
        if (mark != null && core.state == FiberState.WAITING) {
            sb.append(" for ").append((now - mark.start()) / 1_000_000).append(" ms");
        }
        sb.append('\n');
        StackTraceElement[] stack = core.state == FiberState.RUNNING ? runningStack(core) : core.suspendedStack();
        int shown = 0;
        for (StackTraceElement e : stack) {
            if (e.getClassName().startsWith("jdk.internal.vm.Continuation")) {
                continue;
            }
            if (shown++ == MAX_FRAMES) {
                sb.append(indent).append("      ...\n");
                break;
            }
            sb.append(indent).append("      at ").append(e).append('\n');
        }
        for (Fiber<?> child : children.getOrDefault(f.id(), List.of())) {
            appendTree(sb, child, children, depth + 1, now);
        }
    }

    /**
     * The frames of a RUNNING fiber, from the hub thread's stack: the current fiber's are the top
     * ones, down to its {@code FiberCore.body}; below them lie those of each joiner that runs a child
     * it joins ({@link FiberCore#joinUntil}), innermost first, each down to its own {@code FiberCore.body}.
     * On the hub thread this dump's own frames are left out; from another thread the hub thread's
     * stack is a snapshot.
     */
    private static StackTraceElement[] runningStack(FiberCore f) {
        HubCore hub = f.hub;
        boolean onHub = Thread.currentThread() == hub.thread;
        StackTraceElement[] all = onHub ? Thread.currentThread().getStackTrace() : hub.thread.getStackTrace();
        int from = 0;
        while (onHub && from < all.length && isDumpFrame(all[from])) {
            from++;
        }
        int segment = f == hub.current ? 0 : -1;
        for (int i = 0; i < hub.inlineDepth && segment < 0; i++) {
            if (hub.inlineJoiners[i] == f) {
                segment = hub.inlineDepth - i;
            }
        }
        if (segment < 0) {
            return java.util.Arrays.copyOfRange(all, from, all.length);
        }
        int start = from;
        int seen = 0;
        for (int i = from; i < all.length; i++) {
            if (all[i].getClassName().equals(FiberCore.class.getName()) && all[i].getMethodName().equals("body")) {
                if (seen == segment) {
                    return java.util.Arrays.copyOfRange(all, start, i + 1);
                }
                seen++;
                start = i + 1;
            }
        }
        return seen == segment ? java.util.Arrays.copyOfRange(all, start, all.length) : new StackTraceElement[0];
    }

    private static boolean isDumpFrame(StackTraceElement e) {
        String c = e.getClassName();
        return c.equals(HubDump.class.getName()) || c.equals(Hub.class.getName()) || c.equals(Thread.class.getName());
    }

    private static String describeBlocker(Object blocker) {
        if (blocker instanceof Fiber<?> f) {
            return "join of fiber " + f;
        }
        if (blocker instanceof StreamHandle s) {
            try {
                return "socket " + s + " to " + s.remoteAddress();
            } catch (IOException | RuntimeException e) {
                return "socket " + s;
            }
        }
        if (blocker instanceof IoHandle h) {
            try {
                return "socket " + h + " at " + h.localAddress();
            } catch (IOException | RuntimeException e) {
                return "socket " + h;
            }
        }
        return String.valueOf(blocker);
    }

    /**
     * The dump of every hub of the JVM. Any thread: each hub dumps itself on its own thread; a hub
     * that does not answer within a second of the request (its thread is blocked) is described by
     * its thread's stack instead. All hubs are asked at once, so the whole dump takes at most about a
     * second. Called in a fiber, it parks that fiber while the other hubs answer (its own hub goes on
     * running, and answers a dump another hub's fiber asks for meanwhile); elsewhere it blocks the
     * calling thread.
     */
    static String dumpAll() {
        boolean inFiber = Fiber.inFiber();
        Map<Hub, CompletableFuture<String>> asked = new LinkedHashMap<>();
        for (Hub hub : HUBS) {
            CompletableFuture<String> text = new CompletableFuture<>();
            asked.put(hub, text);
            if (hub.loop.isLoopThread()) {
                continue; // its own: dumped below, on this thread
            }
            try {
                hub.loop.execute(() -> {
                    try {
                        text.complete(dump(hub));
                    } catch (Throwable t) {
                        text.completeExceptionally(t);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                text.completeExceptionally(closed);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        StringBuilder sb = new StringBuilder("Weft fiber dump: ").append(asked.size()).append(" hubs\n");
        for (Map.Entry<Hub, CompletableFuture<String>> e : asked.entrySet()) {
            Hub hub = e.getKey();
            if (hub.loop.isLoopThread()) {
                sb.append(dump(hub));
                continue;
            }
            try {
                sb.append(inFiber ? awaitParked(e.getValue(), deadline)
                        : e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.TimeoutException noAnswer) {
                Thread t = hub.thread();
                sb.append("Weft hub on thread '").append(t.getName()).append("' did not answer within 1 s; its thread is ")
                        .append(t.getState()).append(" (blocked? see the watchdog's report):\n");
                for (StackTraceElement el : t.getStackTrace()) {
                    sb.append("      at ").append(el).append('\n');
                }
            } catch (Exception failed) {
                sb.append("Weft hub on thread '").append(hub.thread().getName()).append("': no dump (").append(failed)
                        .append(")\n");
            }
        }
        return sb.toString();
    }

    /** Waits for a hub's answer in a fiber: parks it until then or {@code deadline}. */
    private static String awaitParked(CompletableFuture<String> text, long deadline) throws Exception {
        Timeout limit = Timeout.internal(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                "Hub.dumpAll");
        try (limit) {
            return Futures.await(text);
        } catch (FiberTimeoutException e) {
            if (e.is(limit)) {
                throw new java.util.concurrent.TimeoutException("no answer within 1 s");
            }
            throw e;
        }
    }

    private static void installSignal(String name) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                Thread writer = new Thread(HubDump::writeDump, "weft-dump");
                writer.setDaemon(true);
                writer.start();
            });
        } catch (IllegalArgumentException e) {
            log().log(System.Logger.Level.WARNING, "weft.dump.signal=" + name + " cannot be used (" + e.getMessage()
                    + "); pick another signal, such as USR2. No fiber dump on signal.");
        }
    }

    /** The logger, looked up only when needed (a first System.getLogger costs milliseconds in a cold JVM). */
    private static System.Logger log() {
        return System.getLogger(HubDump.class.getName());
    }

    private static void writeDump() {
        String text = dumpAll();
        String file = System.getProperty("weft.dump.file", "");
        if (file.isEmpty()) {
            System.err.print(text);
            System.err.flush();
            return;
        }
        try (PrintStream out = new PrintStream(new FileOutputStream(file, true), true, StandardCharsets.UTF_8)) {
            out.print(text);
        } catch (IOException e) {
            log().log(System.Logger.Level.WARNING, "cannot write the fiber dump to " + file + ": " + e);
            System.err.print(text);
        }
    }
}
