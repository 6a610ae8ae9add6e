package dev.weft.junit5.internal;

import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import java.util.Arrays;
import java.util.List;

/**
 * Which backends a fiber test runs on, from the system property {@value #PROPERTY}: {@code all} (the
 * default) is every backend that can run on this machine, or only the one {@code -Dweft.hub} names when
 * it is set; {@code default} is the one an unnamed hub gets ({@code -Dweft.hub}, else the best available);
 * a list ({@code epoll,nio}) is those, each of which must be able to run here.
 */
public final class TestBackends {
    /** The system property. */
    public static final String PROPERTY = "weft.test.backends";

    private TestBackends() {
    }

    /**
     * The backends' names, best first.
     *
     * @throws dev.weft.hub.BackendUnavailableException if none can run here, or a named one cannot
     */
    public static List<String> chosen() {
        String value = System.getProperty(PROPERTY, "all").trim();
        String named = System.getProperty(Backends.PROPERTY);
        return switch (value) {
            case "", "all" -> {
                if (named != null && !named.isBlank()) {
                    yield List.of(Backends.select(named).name());
                }
                List<String> available = Backends.available().stream().filter(b -> b.priority() >= 0) // not sim
                        .map(HubBackend::name).toList();
                yield available.isEmpty() ? List.of(Backends.select().name()) : available; // none: select() says why
            }
            case "default" -> List.of(Backends.select().name());
            default -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(name -> Backends.select(name).name()).toList();
        };
    }
}
