package dev.weft.jmh.fanout;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.jmh.HubThread;
import dev.weft.socketio.Namespace;
import dev.weft.socketio.SocketIoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * The Java Socket.IO servers of {@code bench fanout}, each started in the JVM of {@link
 * FanoutServerMain}, all with the same room semantics as {@code fanout-server.js}: a client's {@code
 * join} puts it in the room {@value #ROOM} and answers its acknowledgement; a {@code send} is
 * broadcast to every member of the room as {@code m} with the same argument (the sender is no member).
 * Default options otherwise; listening on 127.0.0.1.
 * <ul>
 *   <li>{@code weft-<backend>}: Weft's {@link SocketIoServer} on a {@link WeftHttpServer} on one hub
 *       (a Socket.IO server's rooms live on one hub).</li>
 *   <li>{@code netty-socketio}: {@code com.corundumstudio.socketio} 2.0.13, one boss and one worker
 *       thread, native epoll when Netty has it; on the Netty of this class path (4.2.18, though it
 *       was built against 4.1: {@link #nettyVersion} says which ran).</li>
 * </ul>
 */
final class FanoutServers {
    static final String ROOM = "room";
    static final List<String> JAVA = List.of("weft-epoll", "weft-nio", "weft-io_uring", "netty-socketio");

    private FanoutServers() {
    }

    /** Starts {@code kind}; returns its port. */
    static int start(String kind) throws Exception {
        if (kind.equals("netty-socketio")) {
            return startNettySocketIo();
        }
        if (kind.startsWith("weft-")) {
            return startWeft(kind.substring("weft-".length()));
        }
        throw new IllegalArgumentException("unknown fan-out server '" + kind + "'; known: " + JAVA);
    }

    private static int startWeft(String backend) throws Exception {
        return HubThread.serve("weft-fanout-hub", backend, () -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096,
                    HttpLimits.defaults(), 1);
            SocketIoServer io = SocketIoServer.builder().build();
            io.attach(http);
            serveRoom(io.of("/"));
            http.start();
            return http.getAddress().getPort();
        });
    }

    /** Weft's side of the room semantics, on {@code namespace}: {@code join} and {@code send} as the class says. */
    static void serveRoom(Namespace namespace) {
        namespace.onConnection(socket -> {
            socket.on("join", (args, ack) -> {
                socket.join(ROOM);
                if (ack != null) {
                    ack.send();
                }
            });
            socket.on("send", (args, ack) -> namespace.to(ROOM).emit("m", args.get(0)));
        });
    }

    private static int startNettySocketIo() throws IOException {
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(freePort());
        config.setBossThreads(1);
        config.setWorkerThreads(1);
        config.setUseLinuxNativeEpoll(io.netty.channel.epoll.Epoll.isAvailable());
        SocketIOServer server = new SocketIOServer(config);
        server.addEventListener("join", Object.class, (client, data, ack) -> {
            client.joinRoom(ROOM);
            if (ack.isAckRequested()) {
                ack.sendAckData();
            }
        });
        server.addEventListener("send", Object.class, (client, data, ack) -> server.getRoomOperations(ROOM).sendEvent("m", data));
        server.start();
        return config.getPort();
    }

    /** The version of the Netty on this class path, e.g. "4.2.18.Final" (from netty-common's Maven properties). */
    static String nettyVersion() {
        try (java.io.InputStream in = FanoutServers.class.getResourceAsStream("/META-INF/maven/io.netty/netty-common/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(unknown)");
        } catch (IOException e) {
            return "(unknown: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
