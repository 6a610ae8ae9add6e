package dev.weft.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./weft bench echo --websocket} runs end to end (a smoke test of the harness, not a measurement):
 * the three servers (Weft reading the upgrade itself, Weft through {@code WeftHttpServer}'s upgrade hook, Netty)
 * upgrade every connection and echo frames with no errors.
 */
class WebSocketEchoBenchSmokeTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theWebSocketEchoComparisonRunsBothServersWithoutErrors() throws Exception {
        Path result = Path.of("target", "ws-echo-smoke.json").toAbsolutePath();
        Files.deleteIfExists(result);
        String backend = System.getProperty("weft.hub", io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), JvmArgs.EXPORTS,
                JvmArgs.NATIVE, "-cp", System.getProperty("java.class.path"), "dev.weft.jmh.echo.EchoBench", "--websocket",
                "--servers", "weft-ws-" + backend + ",weft-ws-http-" + backend + ",netty-ws-" + backend, "--connections", "20", "--warmup", "0", "--measure", "1",
                "--result", result.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        String json = Files.readString(result);
        Matcher m = Pattern.compile("\"server\": \"([^\"]+)\".*?\"roundTrips\": (\\d+), \"errors\": (\\d+)").matcher(json);
        int rows = 0;
        while (m.find()) {
            rows++;
            assertTrue(Long.parseLong(m.group(2)) > 0, m.group(1) + " made no round trips: " + out);
            assertEquals("0", m.group(3), m.group(1) + " had errors: " + out);
        }
        assertEquals(3, rows, json);
    }
}
