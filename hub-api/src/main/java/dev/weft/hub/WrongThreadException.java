package dev.weft.hub;

/**
 * Thrown when an object bound to one event-loop thread (a hub, a fiber primitive, a socket) is
 * used from another thread. The message names both threads and the thread-safe way in.
 */
public final class WrongThreadException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public WrongThreadException(String what, Thread owner, Thread caller, String instead) {
        super(what + " belongs to the hub thread '" + owner.getName() + "' but was used from thread '"
                + caller.getName() + "'. " + instead);
    }
}
