package dev.weft.jmh.echo;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The reference WebSocket echo server: Netty 4.2's HTTP codec and {@code WebSocketServerProtocolHandler}
 * (handshake, frame codec, pings, close) with one event-loop thread, echoing each data frame with
 * {@link NettyEchoServer}'s handler (write on read, flush on read-complete) on its bootstrap.
 */
final class NettyWebSocketEchoServer {
    private NettyWebSocketEchoServer() {
    }

    static int start(boolean epoll) throws InterruptedException {
        return NettyEchoServer.bind(NettyEchoServer.oneLoop(epoll, "netty-ws-epoll"), NettyEchoServer.serverChannel(epoll),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new WebSocketServerProtocolHandler("/"), NettyEchoServer.ECHO);
                    }
                });
    }
}
