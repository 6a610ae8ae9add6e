package dev.weft.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.BackendUnavailableException;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import dev.weft.junit5.internal.TestBackends;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** Which backends a {@link FiberTest} runs on, by {@code -Dweft.test.backends} and {@code -Dweft.hub}. */
class TestBackendsTest {

    /** {@code body} with the two properties set as given (null: unset), restored afterwards. */
    private static <T> T with(String backends, String hub, Callable<T> body) throws Exception {
        String oldBackends = System.getProperty(TestBackends.PROPERTY);
        String oldHub = System.getProperty(Backends.PROPERTY);
        set(TestBackends.PROPERTY, backends);
        set(Backends.PROPERTY, hub);
        try {
            return body.call();
        } finally {
            set(TestBackends.PROPERTY, oldBackends);
            set(Backends.PROPERTY, oldHub);
        }
    }

    private static void set(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    @Test
    void byDefaultEveryBackendThatCanRunHereBestFirst() throws Exception {
        List<String> available = Backends.available().stream().filter(b -> b.priority() >= 0).map(HubBackend::name).toList();
        assertTrue(available.contains("nio"), available.toString());
        assertEquals(available, with(null, null, TestBackends::chosen));
        assertEquals(available, with("all", null, TestBackends::chosen));
    }

    @Test
    void aNamedWeftHubIsTheOnlyOne() throws Exception {
        assertEquals(List.of("nio"), with(null, "nio", TestBackends::chosen));
    }

    @Test
    void defaultIsTheOneAHubGetsByDefault() throws Exception {
        assertEquals(List.of(Backends.select(null).name()), with("default", null, TestBackends::chosen));
        assertEquals(List.of("nio"), with("default", "nio", TestBackends::chosen));
    }

    @Test
    void aListIsThoseAndOneThatCannotRunHereIsAnErrorNamingIt() throws Exception {
        assertEquals(List.of("nio"), with(" nio ", null, TestBackends::chosen));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> with("nio,bogus", null, TestBackends::chosen));
        assertTrue(e.getMessage().contains("'bogus' is not a Weft backend"), e.getMessage());
    }
}
