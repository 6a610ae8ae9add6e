package dev.weft.sockets;

/**
 * What a {@link StreamServer} runs for each connection, in a fiber of its own. The server closes
 * the socket when the handler returns or throws; an exception goes to the hub's uncaught handler.
 */
@FunctionalInterface
public interface ConnectionHandler {
    void handle(TcpSocket socket) throws Exception;
}
