/**
 * WebSocket (RFC 6455) for Weft's fibers, client and server, with permessage-deflate (RFC 7692).
 *
 * <p>{@link dev.weft.websocket.WebSocket} is the connection: {@code receive()}, {@code send(...)},
 * {@code close(code, reason)}, blocking in style and parking only the calling fiber. {@link
 * dev.weft.websocket.WebSocketClient} opens {@code ws://} and {@code wss://} connections; {@link
 * dev.weft.websocket.WebSocketServer} performs the server's handshake on a connection whose upgrade
 * request an HTTP layer has read ({@link dev.weft.websocket.UpgradeRequest}). {@link
 * dev.weft.websocket.WebSocketOptions} holds the limits, keep-alive and compression settings.
 */
package dev.weft.websocket;
