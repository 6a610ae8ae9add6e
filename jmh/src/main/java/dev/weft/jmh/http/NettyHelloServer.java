package dev.weft.jmh.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's HTTP/1.1 server codec on one event loop (epoll when available, else NIO): the usual
 * hello-world shape (write on read, flush on read-complete, so pipelined responses share a flush).
 */
final class NettyHelloServer {
    private NettyHelloServer() {
    }

    static int start() throws InterruptedException {
        return start(1);
    }

    /** The same with {@code loops} event loops (accepting and serving; epoll when available, else NIO). */
    static int start(int loops) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        return start(new MultiThreadIoEventLoopGroup(loops, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory()),
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    }

    /** The same on Netty's own io_uring transport ({@code netty-io_uring}). */
    static int startIoUring() throws InterruptedException {
        if (!io.netty.channel.uring.IoUring.isAvailable()) {
            throw new IllegalStateException("netty-io_uring: io_uring is not available here",
                    io.netty.channel.uring.IoUring.unavailabilityCause());
        }
        return start(new MultiThreadIoEventLoopGroup(1, io.netty.channel.uring.IoUringIoHandler.newFactory()),
                io.netty.channel.uring.IoUringServerSocketChannel.class);
    }

    private static int start(EventLoopGroup group, Class<? extends io.netty.channel.ServerChannel> channel)
            throws InterruptedException {
        var b = new io.netty.bootstrap.ServerBootstrap().group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Hello());
                    }
                });
        var ch = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    private static final class Hello extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest req)) {
                return; // the LastHttpContent of a body-less request
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(HelloServers.HELLO));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, HelloServers.HELLO.length);
            if (keepAlive) {
                ctx.write(resp);
            } else {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            }
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
}
