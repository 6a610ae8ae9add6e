package dev.weft.hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds backends with {@link ServiceLoader} and picks one: the one named by the system property
 * {@value #PROPERTY} ({@code nio}, {@code epoll}, {@code io_uring}, {@code kqueue}), or, when it is unset or blank,
 * the available backend with the highest {@link HubBackend#priority()} (epoll, then io_uring, then kqueue,
 * then nio).
 *
 * <p>A named backend that is unknown, absent or unable to run here is an error, never a silent
 * fallback. The first default choice in a JVM is logged once (logger {@code dev.weft.hub.Backends}):
 * at INFO, naming the backend and why each better one was skipped; at WARNING when a better
 * backend made for this system was on the class path but could not run (a native library that
 * failed to load), since the fallback then costs timer resolution and speed. A named choice is
 * logged at DEBUG. Thread rule: any thread.
 */
public final class Backends {

    /** The system property that names the backend. */
    public static final String PROPERTY = "weft.hub";

    private static final List<String> KNOWN = List.of("epoll", "io_uring", "kqueue", "nio", "sim");
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    /** Set by the first default choice in this JVM, which is the one that is logged. */
    private static final AtomicBoolean DEFAULT_CHOICE_LOGGED = new AtomicBoolean();

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
            DefaultChoice choice = DefaultChoice.of(all);
            if (choice == null) {
                throw new BackendUnavailableException(
                        "No Weft backend can run here. " + report(all)
                                + " Add dev.weft:hub-nio (works everywhere) or the native backend for your OS.", null);
            }
            if (DEFAULT_CHOICE_LOGGED.compareAndSet(false, true)) {
                LOG.log(choice.level(), choice.message());
            }
            return choice.backend();
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
                LOG.log(System.Logger.Level.DEBUG, () -> "Weft hub backend: " + wanted + " (chosen by -D" + PROPERTY + ")");
                return b;
            }
        }
        String hint = KNOWN.contains(wanted)
                ? " Add the dependency dev.weft:hub-" + wanted.replace("_", "") + " to use it."
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
