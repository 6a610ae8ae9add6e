package dev.weft.hub;

import java.util.Objects;

/**
 * Whether a backend can run here; when it cannot, the reason and the underlying cause
 * (for native backends, Netty's {@code unavailabilityCause()}).
 *
 * @param available true if the backend can open pollers on this machine
 * @param reason    a sentence saying why not and what to do; empty when available
 * @param cause     the failure behind it, or null
 */
public record Availability(boolean available, String reason, Throwable cause) {

    private static final Availability AVAILABLE = new Availability(true, "", null);

    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /** The backend can run. */
    public static Availability yes() {
        return AVAILABLE;
    }

    /** The backend cannot run, because {@code reason} (a sentence naming the fix), caused by {@code cause}. */
    public static Availability no(String reason, Throwable cause) {
        return new Availability(false, reason, cause);
    }

    /** One line for error messages: the reason plus the cause's message. */
    public String describe() {
        if (available) {
            return "available";
        }
        return cause == null ? reason : reason + " (cause: " + cause + ")";
    }
}
