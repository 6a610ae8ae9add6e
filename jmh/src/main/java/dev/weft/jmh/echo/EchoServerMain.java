package dev.weft.jmh.echo;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * Runs one echo server in this JVM for {@link EchoBench}: prints {@code PORT <n>}, then serves until
 * its standard input closes or says {@code stop}; a {@code cpu} line is answered with {@code CPU
 * <nanoseconds>}, the CPU time of its Java threads so far. A separate JVM per server keeps each server's
 * CPU time measurable (the process's) and lets the benchmark pin it to its own core.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: EchoServerMain weft-nio|weft-epoll|netty-epoll|netty-nio|vthreads");
            System.exit(2);
        }
        serve(EchoServers.start(args[0]));
    }

    /**
     * The server side of the protocol with the benchmark driver, for a server already listening on
     * {@code port}: prints {@code PORT <n>}, answers {@code cpu}, exits at {@code stop} or when
     * standard input closes. Main thread; does not return.
     */
    public static void serve(int port) throws java.io.IOException {
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
            if (line.equals("cpu")) {
                System.out.println("CPU " + javaThreadsCpuNanos());
                System.out.flush();
            }
        }
        System.exit(0);
    }

    /**
     * CPU time of this JVM's Java threads (the event loop, and any pool the server uses), without
     * the JIT compiler and GC threads, which a loaded machine makes vary a lot between runs.
     */
    static long javaThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }
}
