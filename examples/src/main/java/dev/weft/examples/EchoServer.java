package dev.weft.examples;

import dev.weft.fibers.Hub;
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
 * SIGINT (Ctrl-C) or SIGTERM stops it cleanly.
 */
public final class EchoServer {
    static final int PORT = 7788;

    private EchoServer() {
    }

    /** Starts the fiber echo server on the current hub. */
    static StreamServer start(int port) throws IOException {
        return StreamServer.builder(socket -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (socket.read(buf.clear()) > 0) {
                socket.writeAll(buf.flip());
            }
        }).bind("127.0.0.1", port).start();
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
            ServerSocket server = startThreadPerConnection(options.port());
            System.out.println("echo (a thread per connection) on 127.0.0.1:" + server.getLocalPort()
                    + ". Ctrl-C or SIGTERM stops it.");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // closing is all that is left to do
                }
                System.out.println("stopped; nothing listens on 127.0.0.1:" + server.getLocalPort() + " any more");
                Runtime.getRuntime().halt(0);
            }));
            Thread.currentThread().join();
        }
        Examples.serveUntilSignal(options, EchoServer::start, "echo (a fiber per connection)");
    }
}
