package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.ReadmeExample;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Socket.IO section compiles and runs: the block marked {@code <!-- socketio-example:
 * demo/Rooms.java -->} prints what the block marked {@code <!-- socketio-example: output -->} says.
 */
class ReadmeTest {

    @Test
    void theReadmesSocketIoExampleCompilesRunsAndPrintsWhatItSays() throws Exception {
        ReadmeExample example = ReadmeExample.read("socketio-example");
        assertEquals(List.of("demo/Rooms.java"), List.copyOf(example.sources().keySet()));
        assertEquals(example.output(), example.compileAndRun());
    }
}
