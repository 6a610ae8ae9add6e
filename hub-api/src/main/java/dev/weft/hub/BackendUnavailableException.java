package dev.weft.hub;

/**
 * Thrown when the backend asked for with {@code -Dweft.hub} is unknown, not on the class path,
 * or cannot run on this machine, or when no backend at all is found. The message lists every
 * backend that was found, why each unavailable one is unavailable, and which module to add.
 * Weft never falls back silently to another backend.
 */
public final class BackendUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
