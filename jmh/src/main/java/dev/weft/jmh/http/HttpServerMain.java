package dev.weft.jmh.http;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * Runs one hello-world HTTP server in this JVM for {@link HttpBench}: prints {@code PORT <n>}, then
 * serves until its standard input closes or says {@code stop}. A JVM per server keeps each server's
 * CPU time measurable (the process's) and lets the benchmark pin it to its own core.
 */
public final class HttpServerMain {
    private HttpServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HttpServerMain weft-nio|weft-epoll|jdk-platform|jdk-virtual|netty");
            System.exit(2);
        }
        int port = HelloServers.start(args[0]);
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
            // wait
        }
        System.exit(0);
    }
}
