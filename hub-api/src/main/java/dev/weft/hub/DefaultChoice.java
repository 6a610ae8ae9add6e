package dev.weft.hub;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend {@link Backends#select()} picks when {@code weft.hub} is unset, and the one log line
 * that says so: which backend, and why each better one on the class path was skipped. WARNING when
 * a skipped backend was made for this system but failed (it should have run), INFO otherwise.
 *
 * @param backend the best available backend
 * @param level   INFO, or WARNING when a better backend for this system failed
 * @param message the log line
 */
record DefaultChoice(HubBackend backend, Level level, String message) {

    /** The choice among {@code all} (best first), or null when none can run. */
    static DefaultChoice of(List<HubBackend> all) {
        List<String> skipped = new ArrayList<>();
        boolean failed = false;
        for (HubBackend b : all) {
            if (b.priority() < 0) {
                continue; // chosen by name only (the simulation backend)
            }
            Availability a = b.availability();
            if (a.available()) {
                StringBuilder msg = new StringBuilder("Weft hub backend: ").append(b.name());
                if (skipped.isEmpty()) {
                    msg.append(" (the best on the class path; -D").append(Backends.PROPERTY).append("=NAME picks another)");
                } else {
                    msg.append(failed ? ", NOT the better backend: " : ", skipped: ").append(String.join("; ", skipped));
                    msg.append(failed
                            ? ". Fix that backend, or set -D" + Backends.PROPERTY + "=" + b.name()
                              + " to choose " + b.name() + " knowingly (this warning then goes away)."
                            : ".");
                }
                return new DefaultChoice(b, failed ? Level.WARNING : Level.INFO, msg.toString());
            }
            failed |= !a.otherSystem();
            skipped.add(b.name() + " (" + b.artifact() + ") " + (a.otherSystem() ? "is for another system: " : "failed: ")
                    + a.describe());
        }
        return null;
    }
}
