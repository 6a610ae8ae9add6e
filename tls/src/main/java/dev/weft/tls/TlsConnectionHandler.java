package dev.weft.tls;

/**
 * What a TLS server runs for each connection after a successful handshake, in the connection's
 * fiber ({@link TlsServer#handler}). The socket is closed (with close_notify) when it returns or
 * throws; an exception goes to the hub's uncaught handler, as with {@link dev.weft.sockets.ConnectionHandler}.
 */
@FunctionalInterface
public interface TlsConnectionHandler {
    void handle(TlsSocket socket) throws Exception;
}
