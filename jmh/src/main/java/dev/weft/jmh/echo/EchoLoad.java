package dev.weft.jmh.echo;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The closed-loop load generator: {@code connections} connections on one Netty event-loop thread
 * (epoll when available), each writes a 64-byte message, reads the whole echo, checks every byte,
 * and writes the next. Counts round trips and records each one's latency during the measured
 * window only. In WebSocket mode each connection first upgrades ({@code GET /}, a fixed key), then
 * sends each message as a masked binary frame and expects it back as an unmasked one.
 *
 * <p>Thread rule: {@link #run} on any one thread; the handlers run on the client's event loop.
 */
public final class EchoLoad implements AutoCloseable {
    static final int MESSAGE = 64;

    /** What one measured window saw. Latencies in nanoseconds, sorted. */
    public record Window(long roundTrips, long nanos, long[] latencies, long errors) {
        public double perSecond() {
            return roundTrips * 1e9 / nanos;
        }

        public long percentile(double p) {
            if (latencies.length == 0) {
                return 0;
            }
            return latencies[Math.min(latencies.length - 1, (int) Math.ceil(p / 100 * latencies.length) - 1)];
        }
    }

    private final int message;
    /** Null for plaintext; else each connection starts with a client SslHandler. */
    private final io.netty.handler.ssl.SslContext ssl;
    /** Handshake mode: each connection does one round trip, closes, and a new one replaces it. */
    private final boolean reconnect;
    /** WebSocket mode: upgrade first, then one binary frame per message each way. */
    private final boolean websocket;
    private static final byte[] UPGRADE = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    private Bootstrap bootstrap;
    private volatile boolean closing;
    private final EventLoopGroup group;
    private final boolean epoll = Epoll.isAvailable();
    private final List<Channel> channels = new ArrayList<>();
    /** Touched only on the client event loop. */
    private boolean measuring;
    private long roundTrips;
    private long errors;
    private long[] samples = new long[1 << 20];
    private int sampleCount;

    public EchoLoad() {
        this(MESSAGE, null, false, false);
    }

    EchoLoad(int message, io.netty.handler.ssl.SslContext ssl, boolean reconnect, boolean websocket) {
        this.message = message;
        this.ssl = ssl;
        this.reconnect = reconnect;
        this.websocket = websocket;
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Opens {@code connections} connections to 127.0.0.1:{@code port} and starts the ping loops. */
    public void connect(int port, int connections) throws InterruptedException {
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(InetAddress.getLoopbackAddress(), port)
                .handler(new ChannelInboundHandlerAdapter());
        for (int i = 0; i < connections; i++) {
            channels.add(open(i).sync().channel());
        }
    }

    private io.netty.channel.ChannelFuture open(int id) {
        Pinger pinger = new Pinger(id);
        io.netty.channel.ChannelFuture f = bootstrap.clone().handler(new io.netty.channel.ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (ssl != null) {
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "localhost", port(ch)));
                }
                ch.pipeline().addLast(pinger);
            }
        }).connect();
        if (reconnect) {
            f.channel().closeFuture().addListener(done -> {
                if (!closing) {
                    open(id);
                }
            });
        }
        return f;
    }

    private static int port(Channel ch) {
        return ch.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : 443;
    }

    /** Runs {@code warmupMillis} unmeasured, then measures for {@code measureMillis}. Blocks the caller. */
    public Window run(long warmupMillis, long measureMillis) throws Exception {
        Thread.sleep(warmupMillis);
        long start = group.submit(() -> {
            measuring = true;
            roundTrips = 0;
            errors = 0;
            sampleCount = 0;
            return System.nanoTime();
        }).get();
        Thread.sleep(measureMillis);
        return group.submit(() -> {
            measuring = false;
            long[] sorted = Arrays.copyOf(samples, sampleCount);
            Arrays.sort(sorted);
            return new Window(roundTrips, System.nanoTime() - start, sorted, errors);
        }).get();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        for (Channel ch : channels) {
            ch.close().await(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private void record(long latency) {
        if (!measuring) {
            return;
        }
        roundTrips++;
        if (sampleCount == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[sampleCount++] = latency;
    }

    /** One connection: write a message, collect its echo, check it, repeat. */
    private final class Pinger extends ChannelInboundHandlerAdapter {
        private final byte[] expected = new byte[message];
        /** What comes back: the message, behind a frame header in WebSocket mode. */
        private final byte[] reply;
        private final int headerSize;
        private long sequence;
        private int received;
        private long sentAt;
        /** WebSocket mode: the 101 response so far, until its end; null once upgraded. */
        private StringBuilder head;

        Pinger(int id) {
            Arrays.fill(expected, (byte) id);
            headerSize = !websocket ? 0 : message < 126 ? 2 : 4;
            reply = new byte[headerSize + message];
            if (websocket) {
                reply[0] = (byte) 0x82;
                if (message < 126) {
                    reply[1] = (byte) message;
                } else {
                    reply[1] = 126;
                    reply[2] = (byte) (message >>> 8);
                    reply[3] = (byte) message;
                }
                head = new StringBuilder();
            }
        }

        private long openedAt;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            openedAt = System.nanoTime();
            if (websocket) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(UPGRADE), ctx.voidPromise());
            } else if (ssl == null) {
                send(ctx);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    send(ctx);
                } else {
                    errors++;
                    ctx.close();
                }
            }
        }

        private void send(ChannelHandlerContext ctx) {
            sequence++;
            for (int i = 0; i < 8; i++) {
                expected[i] = (byte) (sequence >>> (8 * i));
            }
            received = 0;
            sentAt = System.nanoTime();
            if (!websocket) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(expected.clone()), ctx.voidPromise());
                return;
            }
            System.arraycopy(expected, 0, reply, headerSize, message);
            int maskAt = message < 126 ? 2 : 4;
            byte[] frame = new byte[maskAt + 4 + message];
            frame[0] = (byte) 0x82;
            frame[1] = (byte) (0x80 | reply[1]);
            if (maskAt == 4) {
                frame[2] = reply[2];
                frame[3] = reply[3];
            }
            byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d}; // a client must mask; the key's value does not matter here
            System.arraycopy(key, 0, frame, maskAt, 4);
            for (int i = 0; i < message; i++) {
                frame[maskAt + 4 + i] = (byte) (expected[i] ^ key[i & 3]);
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(frame), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (head != null && !upgrade(ctx, in)) {
                    return;
                }
                byte[] want = websocket ? reply : expected;
                while (in.isReadable()) {
                    if (received >= want.length || in.readByte() != want[received]) {
                        errors++;
                        ctx.close();
                        return;
                    }
                    received++;
                }
            } finally {
                in.release();
            }
            if (received == (websocket ? reply.length : message)) {
                if (reconnect) {
                    record(System.nanoTime() - openedAt); // connect, handshake, one round trip
                    ctx.close();
                } else {
                    record(System.nanoTime() - sentAt);
                    send(ctx);
                }
            }
        }

        /** Reads the 101 response; once it is complete, starts the ping loop. False while more is needed. */
        private boolean upgrade(ChannelHandlerContext ctx, ByteBuf in) {
            while (in.isReadable()) {
                head.append((char) (in.readByte() & 0xff));
                if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                    boolean ok = head.toString().startsWith("HTTP/1.1 101");
                    head = null;
                    if (!ok) {
                        errors++;
                        ctx.close();
                        return false;
                    }
                    send(ctx);
                    return true;
                }
            }
            return false;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!measuring && closing) {
                return;
            }
            errors++;
            ctx.close();
        }
    }
}
