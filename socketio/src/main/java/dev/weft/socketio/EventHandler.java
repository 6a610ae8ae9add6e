package dev.weft.socketio;

import java.util.List;

/**
 * Handles one event of a client: {@code args} are the event's arguments (JSON as Map, List, String,
 * Number, Boolean, null; binary as {@code byte[]}), {@code ack} answers the client's acknowledgement
 * callback, or is null when the client asked for none. Runs in the client's own fiber; it may block
 * (that client's later events wait, other clients do not); what it throws is logged.
 */
@FunctionalInterface
public interface EventHandler {
    void handle(List<Object> args, Ack ack) throws Exception;
}
