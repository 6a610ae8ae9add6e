package dev.weft.jmh.connections;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client child JVM of {@link ConnectionsBench}: opens its share of the connections, global
 * indices {@code [from, to)}, with plain JDK NIO on one thread and one {@link Selector}. Connection
 * {@code i} binds to source address {@code 127.0.0.(2 + i / perAddress)} before it connects, so that
 * no source address needs more ephemeral ports than it has; at most {@code inFlight} connects (and
 * later echoes) are outstanding at once, so the server's listen backlog never overflows.
 *
 * <p>Why plain NIO and not Weft fibers: it is the lightest load generator (one thread, a channel and
 * a key per connection, no fiber per connection), so the machine's CPU and memory go to the server
 * being measured; and {@code TcpSocket.connect} has no way to bind a source address.
 *
 * <p>Line protocol on standard input and output: prints {@code READY <fd-limit>}; then {@code open}
 * answers {@code OPENED <count> <nanos>}, {@code echo} (one message on every connection, the bytes
 * verified) answers {@code ECHOED <count> <nanos>}, {@code close} (SO_LINGER 0: a reset, so no
 * TIME_WAIT is left on the source ports for the next run) answers {@code CLOSED <count>}. Any failure
 * answers {@code ERROR <what>} and ends the JVM with status 1. The end of standard input ends it.
 *
 * <pre>ConnectionsClient HOST PORT FROM TO PER_ADDRESS IN_FLIGHT MESSAGE_BYTES</pre>
 */
public final class ConnectionsClient {
    private final InetSocketAddress server;
    private final int from;
    private final int count;
    private final int perAddress;
    private final int inFlight;
    private final int messageBytes;
    private final SocketChannel[] channels;
    private final Selector selector;
    /** Lowest port of the kernel's ephemeral range ({@code ip_local_port_range}). */
    private static final int EPHEMERAL_LOW = ephemeralRange()[0];
    private int portFallbacks;

    private ConnectionsClient(InetSocketAddress server, int from, int to, int perAddress, int inFlight, int messageBytes)
            throws IOException {
        this.server = server;
        this.from = from;
        this.count = to - from;
        this.perAddress = perAddress;
        this.inFlight = inFlight;
        this.messageBytes = messageBytes;
        this.channels = new SocketChannel[count];
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: ConnectionsClient HOST PORT FROM TO PER_ADDRESS IN_FLIGHT MESSAGE_BYTES");
            System.exit(2);
        }
        ConnectionsClient client = new ConnectionsClient(new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        System.out.println("READY " + Descriptors.softLimit());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            try {
                long t0 = System.nanoTime();
                String answer = switch (line) {
                    case "open" -> "OPENED " + client.open() + " " + (System.nanoTime() - t0) + " " + client.portFallbacks;
                    case "echo" -> "ECHOED " + client.echo() + " " + (System.nanoTime() - t0);
                    case "close" -> "CLOSED " + client.close();
                    default -> throw new IllegalArgumentException("unknown command '" + line + "'");
                };
                System.out.println(answer);
                System.out.flush();
            } catch (Exception e) {
                System.out.println("ERROR " + String.valueOf(e).replace('\n', ' '));
                System.out.flush();
                System.exit(1);
            }
        }
        System.exit(0); // the parent closed our standard input: it is done or gone
    }

    /** The kernel's ephemeral port range: lowest, highest. */
    static int[] ephemeralRange() {
        try {
            String[] w = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim().split("\\s+");
            return new int[] {Integer.parseInt(w[0]), Integer.parseInt(w[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999}; // Linux's default
        }
    }

    /** The source address of global connection {@code index}. */
    static InetAddress sourceAddress(int index, int perAddress) throws IOException {
        int last = 2 + index / perAddress;
        if (last > 254) {
            throw new IllegalArgumentException("connection " + index + " would need source address 127.0.0." + last
                    + ": at most 253 source addresses (127.0.0.2-254) of " + perAddress + " connections each");
        }
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    /**
     * Binds {@code ch} to its source address and an explicit port, {@code lowest ephemeral port +
     * index % perAddress}: distinct for every connection of one address, whichever client JVM opens
     * it. Explicit, because {@code bind(address, 0)} gets slow once an address has more than about
     * half its ephemeral ports in use (Linux searches the even ports first, then scans for a free odd
     * one: measured here, 19,700 binds to 127.0.0.2 took 62 s instead of 1). A port that something
     * else holds falls back to the kernel's choice.
     */
    private void bindSource(SocketChannel ch, int index) throws IOException {
        InetAddress source = sourceAddress(index, perAddress);
        int port = EPHEMERAL_LOW + index % perAddress;
        try {
            ch.bind(new InetSocketAddress(source, port));
            return;
        } catch (java.net.BindException taken) {
            portFallbacks++;
        }
        try {
            ch.bind(new InetSocketAddress(source, 0));
        } catch (IOException e) {
            throw new IOException("bind to " + source.getHostAddress() + " failed for connection " + index + " ("
                    + e.getMessage() + "): out of ephemeral ports on that address? lower --per-address", e);
        }
    }

    /** Opens every connection, at most {@link #inFlight} connects outstanding; returns how many. */
    private int open() throws IOException {
        int next = 0;
        int pending = 0;
        int[] done = {0};
        while (done[0] < count) {
            while (pending < inFlight && next < count) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.INET);
                channels[next] = ch;
                ch.configureBlocking(false);
                bindSource(ch, from + next);
                if (ch.connect(server)) {
                    ch.register(selector, 0, next);
                    done[0]++;
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, next);
                    pending++;
                }
                next++;
            }
            int[] finished = {0};
            selector.select(key -> {
                SocketChannel ch = (SocketChannel) key.channel();
                try {
                    if (ch.finishConnect()) {
                        key.interestOps(0);
                        finished[0]++;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("connect " + (from + (int) key.attachment()) + " to " + server
                            + " failed: " + e.getMessage(), e);
                }
            }, 10_000);
            pending -= finished[0];
            done[0] += finished[0];
        }
        return done[0];
    }

    /** The message of global connection {@code index}: its number, then a pattern, {@link #messageBytes} long. */
    private byte[] message(int index) {
        byte[] m = new byte[messageBytes];
        byte[] head = ("conn " + index + " ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < m.length; i++) {
            m[i] = i < head.length ? head[i] : (byte) ('a' + (index + i) % 26);
        }
        return m;
    }

    /** Sends one message on every connection and reads it back, verifying the bytes; returns how many echoed. */
    private int echo() throws IOException {
        int next = 0;
        int outstanding = 0;
        int echoed = 0;
        ByteBuffer[] received = new ByteBuffer[count];
        while (echoed < count) {
            while (outstanding < inFlight && next < count) {
                ByteBuffer m = ByteBuffer.wrap(message(from + next));
                int n = channels[next].write(m);
                if (m.hasRemaining()) {
                    throw new IOException("connection " + (from + next) + ": a fresh socket took only " + n + " of "
                            + messageBytes + " bytes");
                }
                received[next] = ByteBuffer.allocate(messageBytes);
                channels[next].keyFor(selector).interestOps(SelectionKey.OP_READ);
                outstanding++;
                next++;
            }
            int[] finished = {0};
            selector.select(key -> {
                int i = (int) key.attachment();
                ByteBuffer buf = received[i];
                try {
                    if (((SocketChannel) key.channel()).read(buf) < 0) {
                        throw new IOException("connection " + (from + i) + ": the server closed it after "
                                + buf.position() + " of " + messageBytes + " echoed bytes");
                    }
                    if (!buf.hasRemaining()) {
                        if (!Arrays.equals(buf.array(), message(from + i))) {
                            throw new IOException("connection " + (from + i) + ": echoed bytes differ from those sent");
                        }
                        key.interestOps(0);
                        received[i] = null;
                        finished[0]++;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e.getMessage(), e);
                }
            }, 10_000);
            outstanding -= finished[0];
            echoed += finished[0];
        }
        return echoed;
    }

    /** Closes every connection with a reset (SO_LINGER 0); returns how many it closed. */
    private int close() throws IOException {
        int closed = 0;
        for (SocketChannel ch : channels) {
            if (ch != null && ch.isOpen()) {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.close();
                closed++;
            }
        }
        selector.selectNow(); // deregisters the cancelled keys
        return closed;
    }
}
