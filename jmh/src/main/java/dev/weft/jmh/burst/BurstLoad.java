package dev.weft.jmh.burst;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of {@link BurstBench}: Netty clients with {@code SslHandler} (JDK provider) on
 * two event-loop threads of this JVM. On one, a burst: {@code n} connections opened at once, each
 * does a full handshake (no session to resume: the engines are made without a peer host), one
 * exchange (a 64-byte echo, or {@code GET /} over HTTP/1.1) and closes. On the other, established
 * connections that each send one exchange every {@code interval} (open loop: a tick whose previous
 * exchange has not come back is skipped) and record its latency.
 *
 * <p>Thread rule: the public methods from one thread (the driver's); handlers run on the event loops.
 */
final class BurstLoad implements AutoCloseable {
    static final int MESSAGE = 64;
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What one burst saw; times in nanoseconds, latencies sorted. */
    record Burst(int connections, long toLastHandshake, long toLastExchange, long[] handshakeLatencies, int failures,
                 String firstFailure) {
        double handshakesPerSecond() {
            return (connections - failures) * 1e9 / Math.max(1, toLastHandshake);
        }

        long percentile(double p) {
            return BurstLoad.percentile(handshakeLatencies, p);
        }
    }

    private final SslContext ssl;
    private final boolean http;
    private final int port;
    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup burstLoop;
    private final EventLoopGroup steadyLoop;
    private final List<Steady> steady = new ArrayList<>();
    private String negotiated;
    /** Touched on the steady loop only. */
    private boolean recording;
    private long[] samples = new long[1 << 16];
    private int sampleCount;

    BurstLoad(SslContext ssl, boolean http, int port) {
        this.ssl = ssl;
        this.http = http;
        this.port = port;
        this.burstLoop = group();
        this.steadyLoop = group();
    }

    private EventLoopGroup group() {
        return new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** {@code reset}: close with a reset (SO_LINGER 0), leaving no TIME_WAIT behind. */
    private Bootstrap bootstrap(EventLoopGroup group, ChannelInboundHandlerAdapter handler, boolean reset) {
        Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
        if (reset) {
            b.option(ChannelOption.SO_LINGER, 0);
        }
        return b.option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(InetAddress.getLoopbackAddress(), port)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler tls = ssl.newHandler(ch.alloc()); // no peer host: no session to resume
                        tls.setHandshakeTimeoutMillis(120_000);
                        ch.pipeline().addLast(tls, handler);
                    }
                });
    }

    /**
     * Opens {@code n} connections at once and waits until each has done its exchange or failed, at
     * most {@code limit}.
     */
    Burst burst(int n, Duration limit) throws Exception {
        long[] handshakeDone = new long[n];
        long[] started = new long[n];
        long[] exchanged = new long[n];
        String[] failure = new String[n];
        CountDownLatch done = new CountDownLatch(n);
        long start = burstLoop.submit(() -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int id = i;
                started[i] = System.nanoTime();
                bootstrap(burstLoop, new OneExchange(() -> handshakeDone[id] = System.nanoTime(), () -> {
                    exchanged[id] = System.nanoTime();
                    done.countDown();
                }, why -> {
                    if (exchanged[id] == 0 && failure[id] == null) {
                        failure[id] = why;
                        done.countDown();
                    }
                }), true).connect();
            }
            return t0;
        }).get();
        if (!done.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("a burst of " + n + " was not done within " + limit.toSeconds() + " s ("
                    + done.getCount() + " connections left)");
        }
        return burstLoop.submit(() -> {
            long lastHandshake = 0;
            long lastExchange = 0;
            long[] latencies = new long[n];
            int ok = 0;
            int failures = 0;
            String first = null;
            for (int i = 0; i < n; i++) {
                if (failure[i] != null) {
                    failures++;
                    first = first == null ? failure[i] : first;
                    continue;
                }
                lastHandshake = Math.max(lastHandshake, handshakeDone[i] - start);
                lastExchange = Math.max(lastExchange, exchanged[i] - start);
                latencies[ok++] = handshakeDone[i] - started[i];
            }
            long[] sorted = Arrays.copyOf(latencies, ok);
            Arrays.sort(sorted);
            return new Burst(n, lastHandshake, lastExchange, sorted, failures, first);
        }).get();
    }

    /** Opens {@code connections} established connections, each doing one exchange every {@code interval}. */
    void startSteady(int connections, Duration interval) throws Exception {
        for (int i = 0; i < connections; i++) {
            Steady s = new Steady();
            Channel ch = bootstrap(steadyLoop, s, false).connect().sync().channel();
            if (!s.handshaken.await(30, TimeUnit.SECONDS) || s.ctx == null) {
                throw new IllegalStateException("an established connection's handshake failed: " + s.failure);
            }
            steady.add(s);
            if (negotiated == null) {
                javax.net.ssl.SSLSession session = ch.pipeline().get(SslHandler.class).engine().getSession();
                negotiated = session.getProtocol() + " " + session.getCipherSuite();
            }
            long offset = interval.toNanos() * i / connections;
            ch.eventLoop().scheduleAtFixedRate(s::tick, offset, interval.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The TLS version and cipher suite the server chose for the first established connection (a
     * burst's connections offer the same), e.g. {@code TLSv1.3 TLS_AES_256_GCM_SHA384}; null before
     * {@link #startSteady}.
     */
    String negotiated() {
        return negotiated;
    }

    /** Starts recording the established connections' latencies. */
    void startWindow() throws Exception {
        steadyLoop.submit(() -> {
            recording = true;
            sampleCount = 0;
        }).get();
    }

    /** Stops recording; the latencies of the window, sorted. */
    long[] endWindow() throws Exception {
        return steadyLoop.submit(() -> {
            recording = false;
            long[] sorted = Arrays.copyOf(samples, sampleCount);
            Arrays.sort(sorted);
            return sorted;
        }).get();
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    @Override
    public void close() throws InterruptedException {
        for (Steady s : steady) {
            if (s.ctx != null) {
                s.ctx.close().await(1, TimeUnit.SECONDS);
            }
        }
        burstLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        steadyLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** Counts a response's bytes: the 64-byte echo, or an HTTP response's head and its Content-Length. */
    private final class Response {
        private final StringBuilder head = new StringBuilder();
        private int bodyLeft = -1;
        private int echoed;

        void reset() {
            head.setLength(0);
            bodyLeft = -1;
            echoed = 0;
        }

        /** Consumes {@code in}; true when the response is complete. */
        boolean take(ByteBuf in) {
            if (!http) {
                echoed += in.readableBytes();
                in.skipBytes(in.readableBytes());
                return echoed >= MESSAGE;
            }
            while (in.isReadable()) {
                if (bodyLeft < 0) {
                    head.append((char) in.readByte());
                    if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                        int at = head.toString().toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
                        bodyLeft = at < 0 ? 0 : Integer.parseInt(head.substring(at + 15, head.indexOf("\r\n", at)).trim());
                    }
                } else {
                    int n = Math.min(bodyLeft, in.readableBytes());
                    in.skipBytes(n);
                    bodyLeft -= n;
                }
                if (bodyLeft == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private void send(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(http ? REQUEST : new byte[MESSAGE]), ctx.voidPromise());
    }

    /** A burst connection: handshake, one exchange, close. */
    private final class OneExchange extends ChannelInboundHandlerAdapter {
        private final Runnable handshaken;
        private final Runnable exchanged;
        private final java.util.function.Consumer<String> failed;
        private final Response response = new Response();
        private boolean finished;

        OneExchange(Runnable handshaken, Runnable exchanged, java.util.function.Consumer<String> failed) {
            this.handshaken = handshaken;
            this.exchanged = exchanged;
            this.failed = failed;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    handshaken.run();
                    send(ctx);
                } else {
                    fail(ctx, "handshake: " + e.cause());
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (!finished && response.take(in)) {
                    finished = true;
                    exchanged.run();
                    ctx.close();
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx, "closed by the server before the exchange");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause.toString());
        }

        private void fail(ChannelHandlerContext ctx, String why) {
            if (!finished) {
                finished = true;
                failed.accept(why);
            }
            ctx.close();
        }
    }

    /** An established connection: one exchange per tick, its latency recorded while a window is open. */
    private final class Steady extends ChannelInboundHandlerAdapter {
        final CountDownLatch handshaken = new CountDownLatch(1);
        private final Response response = new Response();
        ChannelHandlerContext ctx;
        private long sentAt;
        private boolean waiting;

        Throwable failure;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    this.ctx = ctx;
                } else {
                    failure = e.cause();
                }
                handshaken.countDown();
            }
        }

        void tick() {
            if (ctx == null || waiting || !ctx.channel().isActive()) {
                return;
            }
            waiting = true;
            response.reset();
            sentAt = System.nanoTime();
            send(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (waiting && response.take(in)) {
                    waiting = false;
                    if (recording) {
                        if (sampleCount == samples.length) {
                            samples = Arrays.copyOf(samples, samples.length * 2);
                        }
                        samples[sampleCount++] = System.nanoTime() - sentAt;
                    }
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
