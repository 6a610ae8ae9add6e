package dev.weft.examples;

import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.StreamServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Seed program 1: the echo server on port 7788, one fiber per connection (gevent's {@code
 * StreamServer(('', 7788), handle).serve_forever()}). With {@code --threads} it serves the same
 * protocol with a platform thread per connection, the way it is done without fibers: compare how
 * many connections each holds and what each costs.
 *
 * <pre>./weft example echo [--backend nio|epoll|kqueue] [--threads] [--port N]</pre>
 * SIGINT (Ctrl-C) or SIGTERM stops it cleanly. A client that resets its connection is one line in
 * the log; one that closes it normally, none.
 */
public final class EchoServer {
    static final int PORT = 7788;
    private static final System.Logger LOG = System.getLogger(EchoServer.class.getName());

    /** One connection: echo until the client closes (or resets: one INFO line). */
    static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            while (socket.read(buf.clear()) > 0) {
                socket.writeAll(buf.flip());
            }
        } catch (IOException e) {
            Examples.disconnected(LOG, socket, e);
        }
    };

    private EchoServer() {
    }

    /** Starts the fiber echo server on the current hub. */
    static StreamServer start(int port) throws IOException {
        return StreamServer.builder(ECHO).bind("127.0.0.1", port).start();
    }

    /** The comparison: a platform thread per connection, blocking java.net sockets. Returns the listening socket. */
    static ServerSocket startThreadPerConnection(int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("accept").daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("echo", "[--threads] [--port N]", args, PORT, Set.of("--threads"), false);
        if (options.flags().contains("--threads")) {
            ServerSocket server;
            try {
                server = startThreadPerConnection(options.port());
            } catch (IOException e) {
                System.err.println("cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage()
                        + " (another program may hold the port: pick another with --port N)");
                System.exit(1);
                return;
            }
            String at = "127.0.0.1:" + server.getLocalPort();
            Examples.onSignal(() -> "stopping: closing " + at, () -> {
                server.close();
                return "stopped; nothing listens on " + at + " any more";
            });
            System.out.println("echo (a thread per connection) on " + at + ". Ctrl-C or SIGTERM stops it.");
            Thread.currentThread().join();
        }
        Examples.serveUntilSignal(options, EchoServer::start, "echo (a fiber per connection)");
    }
}
