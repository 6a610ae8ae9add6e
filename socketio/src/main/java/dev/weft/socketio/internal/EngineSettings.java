package dev.weft.socketio.internal;

import java.time.Duration;

/** The Engine.IO settings a session needs (from {@code SocketIoServer}'s builder). */
public record EngineSettings(Duration pingInterval, Duration pingTimeout, int maxHttpBufferSize, int maxOutboxPackets) {
}
