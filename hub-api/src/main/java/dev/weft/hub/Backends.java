package dev.weft.hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} and picks one: the one named by the system property
 * {@value #PROPERTY} ({@code nio}, {@code epoll}, {@code kqueue}), or, when it is unset or blank,
 * the available backend with the highest {@link HubBackend#priority()} (epoll, then kqueue, then nio).
 *
 * <p>A named backend that is unknown, absent or unable to run here is an error, never a silent
 * fallback. Thread rule: any thread.
 */
public final class Backends {

    /** The system property that names the backend. */
    public static final String PROPERTY = "weft.hub";

    private static final List<String> KNOWN = List.of("epoll", "kqueue", "nio");

    private Backends() {
    }

    /** Every backend on the class path (of this class's loader), best first; available or not. */
    public static List<HubBackend> all() {
        List<HubBackend> found = new ArrayList<>();
        try {
            for (HubBackend b : ServiceLoader.load(HubBackend.class, Backends.class.getClassLoader())) {
                found.add(b);
            }
        } catch (ServiceConfigurationError e) {
            throw new BackendUnavailableException("A Weft backend on the class path failed to load: " + e.getMessage(), e);
        }
        found.sort(Comparator.comparingInt(HubBackend::priority).reversed());
        return found;
    }

    /** The backends that can run on this machine, best first. */
    public static List<HubBackend> available() {
        return all().stream().filter(b -> b.availability().available()).toList();
    }

    /**
     * The backend named by {@code -Dweft.hub}, or the best available one.
     *
     * @throws BackendUnavailableException if the named one is unknown, absent or cannot run, or none can run
     */
    public static HubBackend select() {
        return select(System.getProperty(PROPERTY));
    }

    /**
     * The backend called {@code name}, or the best available one when {@code name} is null or blank.
     *
     * @throws BackendUnavailableException if it is unknown, absent or cannot run here, or none can run
     */
    public static HubBackend select(String name) {
        List<HubBackend> all = all();
        if (name == null || name.isBlank()) {
            for (HubBackend b : all) {
                if (b.availability().available()) {
                    return b;
                }
            }
            throw new BackendUnavailableException(
                    "No Weft backend can run here. " + report(all)
                            + " Add dev.weft:hub-nio (works everywhere) or the native backend for your OS.", null);
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (HubBackend b : all) {
            if (b.name().equals(wanted)) {
                Availability a = b.availability();
                if (!a.available()) {
                    throw new BackendUnavailableException("-D" + PROPERTY + "=" + wanted + " selects the " + wanted
                            + " backend, but it cannot run here: " + a.describe()
                            + ". Weft does not fall back silently; pick another with -D" + PROPERTY
                            + "=NAME or unset it. " + report(all), a.cause());
                }
                return b;
            }
        }
        String hint = KNOWN.contains(wanted)
                ? " Add the dependency dev.weft:hub-" + wanted + " to use it."
                : " '" + wanted + "' is not a Weft backend; the backends are " + String.join(", ", KNOWN) + ".";
        throw new BackendUnavailableException("-D" + PROPERTY + "=" + wanted + " names a backend that is not on the class path."
                + hint + " " + report(all), null);
    }

    /** Opens a poller on the calling thread with the backend {@link #select()} picks. */
    public static Poller openDefault() {
        return select().open();
    }

    private static String report(List<HubBackend> all) {
        if (all.isEmpty()) {
            return "No backend was found on the class path.";
        }
        StringBuilder sb = new StringBuilder("Backends found:");
        for (HubBackend b : all) {
            Availability a = b.availability();
            sb.append(' ').append(b.name()).append(" (").append(b.artifact()).append(": ")
                    .append(a.available() ? "available" : "unavailable, " + a.describe()).append(')').append(';');
        }
        sb.setLength(sb.length() - 1);
        return sb.append('.').toString();
    }
}
