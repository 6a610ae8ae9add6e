package dev.weft.fibers;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stuck hub thread is doing, read from its stack for {@link HubWatchdog}'s report: which
 * kind of thread-blocking call it is in (a JDK socket, {@code Thread.sleep}, {@code Object.wait},
 * a future, a lock, a name lookup, file I/O), the blocking JDK frame (the JDK method the code
 * called), the first frame outside the JDK that called it, the first frame of other code that led
 * there (the application above a driver), and which Weft bridge to use instead; a connection pool's
 * own wait for a free connection is named as such ({@link PoolWait}).
 *
 * <p>A heuristic over class and method names: it reads stacks, never changes anything.
 */
record BlockingCall(Kind kind, StackTraceElement jdkFrame, StackTraceElement caller, StackTraceElement origin, PoolWait pool) {

    /** The kinds of blocking call the report tells apart, each with its advice. */
    enum Kind {
        SOCKET("a blocking java.net socket call",
                "give the library a cooperative socket: dev.weft.bridges.FiberSocketFactory (pgjdbc: the connection"
                        + " property socketFactory=dev.weft.bridges.FiberSocketFactory; Jedis: a JedisSocketFactory that"
                        + " returns FiberSocketFactory sockets; OkHttp: builder.socketFactory(new FiberSocketFactory()))"
                        + ", or use dev.weft.sockets.TcpSocket"),
        TLS("the JDK's TLS (a handshake's key exchange and certificate checks run on the hub thread's CPU)",
                "expected for a cold handshake (JIT, SecureRandom); open TLS connections ahead of need (a pool) and"
                        + " keep them; a TLS read that waits on the network shows java.net.Socket frames instead"),
        NAME_LOOKUP("a blocking host name lookup (InetAddress)",
                "resolve with dev.weft.sockets.Resolver (OkHttp: builder.dns(...) over Resolver.resolve)"),
        SLEEP("Thread.sleep", "use Fiber.sleep, which parks only the fiber"),
        OBJECT_WAIT("Object.wait (a pool or a library built on synchronized/wait, such as commons-pool2 under JedisPool)",
                "use Weft's Event, Queue or Semaphore; for pooled connections dev.weft.bridges.ConnectionPool"),
        FUTURE("waiting for a Future or CompletableFuture on the thread",
                "use Fiber.await(stage) or Futures.awaitFuture(future), which park only the fiber"),
        LOCK("a java.util.concurrent lock or LockSupport.park",
                "use Weft's Lock or Semaphore (a ReentrantLock belongs to the hub thread, so it does not exclude fibers either)"),
        FILE("blocking file I/O", "run it with dev.weft.sockets.ThreadPool.offload(...)"),
        PROCESS("waiting for a process", "run it with dev.weft.sockets.ThreadPool.offload(...)"),
        OTHER_WAIT("a thread-blocking call (Thread.sleep, Object.wait, LockSupport.park, a blocking JDK socket)",
                "use the fiber version, or dev.weft.sockets.ThreadPool.offload(...)"),
        COMPUTING("no blocking call: a fiber runs without switching",
                "long computations should call Fiber.yield() now and then or move to a thread pool");

        final String what;
        final String advice;

        Kind(String what, String advice) {
            this.what = what;
            this.advice = advice;
        }
    }

    /** Reads {@code stack} (innermost first) of a thread in {@code state}. */
    static BlockingCall of(StackTraceElement[] stack, Thread.State state) {
        int callerIndex = -1;
        for (int i = 0; i < stack.length; i++) {
            if (!isJdk(stack[i].getClassName())) {
                callerIndex = i;
                break;
            }
        }
        StackTraceElement caller = callerIndex < 0 ? null : stack[callerIndex];
        StackTraceElement jdkFrame = callerIndex > 0 ? stack[callerIndex - 1] : null;
        Kind kind = Kind.COMPUTING;
        for (int i = 0; i < (callerIndex < 0 ? stack.length : callerIndex); i++) {
            Kind k = classify(stack[i]);
            if (k == Kind.LOCK && kind == Kind.COMPUTING) {
                kind = k; // LockSupport.park: a future's get further out says more
            } else if (k == Kind.FUTURE && kind == Kind.LOCK) {
                kind = k;
                break;
            } else if (k != null && kind == Kind.COMPUTING) {
                kind = k; // otherwise the innermost recognisable frame says what the thread is in
                break;
            }
        }
        if (kind == Kind.SOCKET) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().startsWith("dev.weft.bridges.FiberSocket")) {
                    kind = Kind.OTHER_WAIT; // a FiberSocket parks its fiber: something else blocks here
                    break;
                }
            }
        }
        if (kind == Kind.COMPUTING && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)) {
            kind = Kind.OTHER_WAIT;
        }
        StackTraceElement origin = null;
        if (caller != null) {
            String root = packageRoot(caller.getClassName());
            for (int i = callerIndex + 1; i < stack.length; i++) {
                String c = stack[i].getClassName();
                if (!isJdk(c) && !isWeftInternal(c) && !packageRoot(c).equals(root)) {
                    origin = stack[i];
                    break;
                }
            }
        }
        PoolWait pool = kind == Kind.COMPUTING || kind == Kind.SOCKET || kind == Kind.TLS ? null : PoolWait.find(stack);
        return new BlockingCall(kind, jdkFrame, caller, origin, pool);
    }

    /** The lines the report adds: what the call is, where, and what to use instead. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        if (kind == Kind.COMPUTING) {
            sb.append(" A fiber runs without blocking; ").append(kind.advice).append('.');
            return sb.toString();
        }
        if (pool != null) {
            sb.append(pool.describe());
            return sb.toString();
        }
        if (kind == Kind.TLS) {
            sb.append(" The hub thread is busy in ").append(kind.what).append(", and no other fiber runs meanwhile.");
        } else {
            sb.append(" The hub thread is blocked in ").append(kind.what).append(", which stops every fiber of the hub.");
        }
        if (jdkFrame != null) {
            sb.append("\n  blocking call: ").append(jdkFrame);
        }
        if (caller != null) {
            sb.append("\n  called from:   ").append(caller);
        }
        if (origin != null) {
            sb.append("\n  reached from:  ").append(origin);
        }
        sb.append("\n  instead:       ").append(kind.advice);
        if (kind == Kind.SOCKET && caller != null && caller.getClassName().startsWith("org.postgresql.")) {
            sb.append("\n  (this is the PostgreSQL JDBC driver without Weft's socket factory: add the connection property"
                    + " socketFactory=dev.weft.bridges.FiberSocketFactory)");
        }
        return sb.toString();
    }

    private static Kind classify(StackTraceElement e) {
        String c = e.getClassName();
        String m = e.getMethodName();
        if (c.equals("java.lang.Thread") && m.startsWith("sleep")) {
            return Kind.SLEEP;
        }
        if (c.equals("java.lang.Object") && m.startsWith("wait")) {
            return Kind.OBJECT_WAIT;
        }
        if (c.startsWith("java.net.InetAddress") || c.contains("Inet4AddressImpl") || c.contains("Inet6AddressImpl")) {
            return Kind.NAME_LOOKUP;
        }
        if (c.startsWith("java.net.Socket") || c.startsWith("java.net.ServerSocket") || c.equals("sun.nio.ch.NioSocketImpl")
                || c.startsWith("sun.nio.ch.SocketChannelImpl") || c.startsWith("sun.nio.ch.ServerSocketChannelImpl")
                || c.startsWith("sun.nio.ch.SocketInputStream") || c.startsWith("sun.nio.ch.SocketOutputStream")
                || (c.equals("sun.nio.ch.Net") && m.equals("poll"))) {
            return Kind.SOCKET;
        }
        if (c.startsWith("sun.security.ssl.") || c.startsWith("javax.net.ssl.")) {
            return Kind.TLS;
        }
        if ((c.equals("java.util.concurrent.CompletableFuture") && (m.equals("get") || m.equals("join") || m.equals("waitingGet")
                || m.equals("timedGet"))) || (c.equals("java.util.concurrent.FutureTask") && (m.equals("get") || m.equals("awaitDone")))) {
            return Kind.FUTURE;
        }
        if (c.startsWith("java.util.concurrent.locks.")) {
            return Kind.LOCK;
        }
        if (c.startsWith("java.io.File") || c.startsWith("java.io.RandomAccessFile") || c.startsWith("sun.nio.ch.FileChannelImpl")
                || c.startsWith("java.nio.file.Files")) {
            return Kind.FILE;
        }
        if (c.startsWith("java.lang.Process") && m.startsWith("waitFor")) {
            return Kind.PROCESS;
        }
        return null;
    }

    // ---------------------------------------------------------------- monitors

    /**
     * For a hub thread BLOCKED entering a monitor at {@code blockedAt}: the parked fibers that may hold
     * it, best guesses first. The JVM does not say (a monitor held by a suspended continuation has no
     * thread owner that management APIs report), so the guess is by stack: a fiber parked inside the
     * same method, then inside a {@code synchronized} method, then inside code of the same class.
     */
    static List<String> possibleHolders(StackTraceElement blockedAt, List<FiberCore> fibers) {
        List<String> sameMethod = new ArrayList<>();
        List<String> syncMethod = new ArrayList<>();
        List<String> sameClass = new ArrayList<>();
        for (FiberCore f : fibers) {
            if (f.state != FiberState.WAITING && f.state != FiberState.SCHEDULED) {
                continue;
            }
            StackTraceElement[] stack;
            try {
                stack = f.suspendedStack();
            } catch (RuntimeException unreadable) {
                continue;
            }
            String found = null;
            int rank = 3;
            for (StackTraceElement e : stack) {
                if (isJdk(e.getClassName()) || isWeftInternal(e.getClassName())) {
                    continue;
                }
                if (blockedAt != null && e.getClassName().equals(blockedAt.getClassName())
                        && e.getMethodName().equals(blockedAt.getMethodName())) {
                    found = "fiber " + f + " parked in the same method at " + e;
                    rank = 0;
                    break;
                }
                if (rank > 1 && isSynchronizedMethod(e)) {
                    found = "fiber " + f + " parked inside the synchronized method " + e;
                    rank = 1;
                } else if (rank > 2 && blockedAt != null && topLevel(e.getClassName()).equals(topLevel(blockedAt.getClassName()))) {
                    found = "fiber " + f + " parked in the same class at " + e;
                    rank = 2;
                }
            }
            switch (rank) {
                case 0 -> sameMethod.add(found);
                case 1 -> syncMethod.add(found);
                case 2 -> sameClass.add(found);
                default -> {
                }
            }
        }
        List<String> all = new ArrayList<>(sameMethod);
        all.addAll(syncMethod);
        all.addAll(sameClass);
        return all;
    }

    private static boolean isSynchronizedMethod(StackTraceElement e) {
        try {
            Class<?> c = Class.forName(e.getClassName(), false, Thread.currentThread().getContextClassLoader());
            boolean any = false;
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(e.getMethodName())) {
                    if (!Modifier.isSynchronized(m.getModifiers())) {
                        return false;
                    }
                    any = true;
                }
            }
            return any;
        } catch (ClassNotFoundException | LinkageError | SecurityException notLoadable) {
            return false;
        }
    }

    private static String topLevel(String className) {
        int d = className.indexOf('$');
        return d < 0 ? className : className.substring(0, d);
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    private static boolean isWeftInternal(String className) {
        return className.startsWith("dev.weft.fibers.") && !className.endsWith("Test")
                && !className.contains("Test$") || className.startsWith("dev.weft.hub.");
    }

    private static String packageRoot(String className) {
        String[] parts = className.split("\\.");
        return parts.length >= 3 ? parts[0] + "." + parts[1] : className;
    }
}
