package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExampleOptionsTest {

    private static String problem(String... args) {
        return assertThrows(ExampleOptions.UsageException.class,
                () -> ExampleOptions.parse(args, 7788, Set.of("--threads"), false)).getMessage();
    }

    @Test
    void defaultsThenEachFormOfEachOption() throws Exception {
        assertEquals(new ExampleOptions(null, 7788, Set.of(), Map.of(), List.of()), ExampleOptions.parse(new String[0], 7788, Set.of(), false));
        assertEquals(new ExampleOptions("nio", 9000, Set.of("--threads"), Map.of(), List.of()),
                ExampleOptions.parse(new String[] {"--backend", "nio", "--threads", "--port", "9000"}, 7788, Set.of("--threads"), false));
        assertEquals(new ExampleOptions("epoll", 0, Set.of(), Map.of(), List.of()),
                ExampleOptions.parse(new String[] {"--backend=epoll", "--port=0"}, 7788, Set.of(), false));
        assertEquals(7001, ExampleOptions.parse(new String[] {"7001"}, 7788, Set.of(), false).port(), "a lone number is the port");
        ExampleOptions fetch = ExampleOptions.parse(new String[] {"http://a/", "http://b/"}, -1, Set.of(), true);
        assertEquals(List.of("http://a/", "http://b/"), fetch.positional());
        assertNull(fetch.backend());
    }

    @Test
    void eachMistakeIsNamed() {
        assertEquals("a port is a number from 0 to 65535 (0 = any free port), not 'x'", problem("--port", "x"));
        assertEquals("a port is a number from 0 to 65535 (0 = any free port), not '70000'", problem("70000"));
        assertEquals("--port needs a value", problem("--port"));
        assertEquals("--backend takes nio, epoll or kqueue, not 'iouring'", problem("--backend", "iouring"));
        assertEquals("unknown option '--thread'", problem("--thread"));
        assertEquals("unexpected argument 'more'", problem("7000", "more"));
        assertEquals("this example takes no --port", assertThrows(ExampleOptions.UsageException.class,
                () -> ExampleOptions.parse(new String[] {"--port", "1"}, -1, Set.of(), false)).getMessage());
        assertThrows(ExampleOptions.HelpRequested.class, () -> ExampleOptions.parse(new String[] {"--port", "1", "-h"}, 1, Set.of(), false));
    }

    @Test
    void optionsWithAValue() throws Exception {
        Map<String, String> valued = Map.of("--hubs", ExampleOptions.COUNT, "--jdbc", "URL");
        ExampleOptions o = ExampleOptions.parse(new String[] {"--hubs", "3", "--jdbc=jdbc:postgresql://h/db?user=u", "9000"},
                7788, Set.of(), valued, false);
        assertEquals(new ExampleOptions(null, 9000, Set.of(), Map.of("--hubs", "3", "--jdbc", "jdbc:postgresql://h/db?user=u"),
                List.of()), o);
        assertEquals(3, o.count("--hubs", 1));
        assertEquals(7, ExampleOptions.parse(new String[0], 7788, Set.of(), valued, false).count("--hubs", 7));
        for (String bad : new String[] {"0", "-2", "many", "99999999999"}) {
            assertEquals("--hubs takes a whole number of at least 1, not '" + bad + "'", assertThrows(ExampleOptions.UsageException.class,
                    () -> ExampleOptions.parse(new String[] {"--hubs", bad}, 7788, Set.of(), valued, false)).getMessage());
        }
        assertEquals("--jdbc needs a value", assertThrows(ExampleOptions.UsageException.class,
                () -> ExampleOptions.parse(new String[] {"--jdbc"}, 7788, Set.of(), valued, false)).getMessage());
    }
}
