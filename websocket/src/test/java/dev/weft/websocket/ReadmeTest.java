package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.ReadmeExample;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's WebSocket section compiles and runs: the block marked {@code <!-- websocket-example:
 * demo/WsEcho.java -->} is compiled with this module's test class path, its {@code main} is run, and
 * what it prints must be the block marked {@code <!-- websocket-example: output -->}.
 */
class ReadmeTest {

    @Test
    void theReadmesWebSocketExampleCompilesRunsAndPrintsWhatItSays() throws Exception {
        ReadmeExample example = ReadmeExample.read("websocket-example");
        assertEquals(List.of("demo/WsEcho.java"), List.copyOf(example.sources().keySet()));
        assertEquals(example.output(), example.compileAndRun());
    }
}
