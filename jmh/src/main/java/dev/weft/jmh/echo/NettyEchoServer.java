package dev.weft.jmh.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The reference: Netty 4.2's echo server with one event-loop thread for accepting and serving, the
 * way Netty users write it (write on read, flush on read-complete).
 */
final class NettyEchoServer {
    private NettyEchoServer() {
    }

    /**
     * Echoes every message it reads (bytes here, frames behind the WebSocket codec): write on read,
     * flush on read-complete, close on an exception. Stateless, so one instance serves every channel.
     */
    static final ChannelHandler ECHO = new Echo();

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static int start(boolean epoll) throws InterruptedException {
        return start(epoll, null);
    }

    /** Without TLS, on {@code loops} event loops ({@code netty-loops-N}). */
    static int start(boolean epoll, int loops) throws InterruptedException {
        return bind(new MultiThreadIoEventLoopGroup(loops, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory()),
                serverChannel(epoll), ECHO);
    }

    /** With {@code ssl} non-null, an {@code SslHandler} goes first in each connection's pipeline. */
    static int start(boolean epoll, io.netty.handler.ssl.SslContext ssl) throws InterruptedException {
        return bind(oneLoop(epoll, "netty-epoll"), serverChannel(epoll), ssl == null ? ECHO : new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(ssl.newHandler(ch.alloc()), ECHO);
            }
        });
    }

    /** Netty's own io_uring transport ({@code netty-io_uring}), one loop, without TLS. */
    static int startIoUring() throws InterruptedException {
        if (!IoUring.isAvailable()) {
            throw new IllegalStateException("netty-io_uring: io_uring is not available here", IoUring.unavailabilityCause());
        }
        return bind(new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory()), IoUringServerSocketChannel.class, ECHO);
    }

    /**
     * One event loop on epoll or NIO; {@code server} names the server in the exception thrown when
     * epoll is asked for and not available here.
     */
    static EventLoopGroup oneLoop(boolean epoll, String server) {
        if (epoll && !Epoll.isAvailable()) {
            throw new IllegalStateException(server + ": epoll is not available here", Epoll.unavailabilityCause());
        }
        return new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static Class<? extends ServerChannel> serverChannel(boolean epoll) {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Binds a server on {@code group} to a free loopback port (backlog 4,096, {@code TCP_NODELAY} on
     * every connection), {@code childHandler} in each connection's pipeline; returns the port.
     */
    static int bind(EventLoopGroup group, Class<? extends ServerChannel> channel, ChannelHandler childHandler)
            throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(childHandler)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }
}
