package dev.weft.hub;

import java.util.Objects;

/**
 * Whether a backend can run here; when it cannot, the reason and the underlying cause
 * (for native backends, Netty's {@code unavailabilityCause()}).
 *
 * @param available   true if the backend can open pollers on this machine
 * @param reason      a sentence saying why not and what to do; empty when available
 * @param cause       the failure behind it, or null
 * @param otherSystem true if it cannot run because it is made for another operating system (kqueue
 *                    on Linux): expected, not a failure; false if it should have run here and did not
 */
public record Availability(boolean available, String reason, Throwable cause, boolean otherSystem) {

    private static final Availability AVAILABLE = new Availability(true, "", null, false);

    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /** The backend can run. */
    public static Availability yes() {
        return AVAILABLE;
    }

    /**
     * The backend should run on this system but cannot, because {@code reason} (a sentence naming the
     * fix), caused by {@code cause}: a native library that failed to load, a broken jar.
     */
    public static Availability no(String reason, Throwable cause) {
        return new Availability(false, reason, cause, false);
    }

    /** The backend is made for another operating system ({@code reason} names it); not a failure. */
    public static Availability otherSystem(String reason) {
        return new Availability(false, reason, null, true);
    }

    /** One line for error messages: the reason plus the cause's message. */
    public String describe() {
        if (available) {
            return "available";
        }
        return cause == null ? reason : reason + " (cause: " + cause + ")";
    }
}
