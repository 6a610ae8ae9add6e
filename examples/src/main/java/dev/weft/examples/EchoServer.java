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

/**
 * Seed program 1: the echo server on port 7788, one fiber per connection (gevent's {@code
 * StreamServer(('', 7788), handle).serve_forever()}). With {@code --threads} it serves the same
 * protocol with a platform thread per connection, the way it is done without fibers: compare how
 * many connections each holds and what each costs.
 *
 * <pre>./weft example echo [--threads] [PORT]</pre>
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
        boolean threads = args.length > 0 && args[0].equals("--threads");
        int port = args.length > (threads ? 1 : 0) ? Integer.parseInt(args[threads ? 1 : 0]) : PORT;
        if (threads) {
            ServerSocket server = startThreadPerConnection(port);
            System.out.println("echo (a thread per connection) on 127.0.0.1:" + server.getLocalPort());
            Thread.currentThread().join();
        }
        Hub.run(() -> {
            StreamServer server = start(port);
            System.out.println("echo (a fiber per connection, " + Hub.current().backendName() + ") on " + server.address());
            server.serveForever();
        });
    }
}
