package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A read after a short one (the receive queue was drained) may skip its system call only until the
 * hub has polled again: data that came meanwhile is then read even by a call that must not wait (a
 * zero timeout). On every backend (on io_uring, where nothing is polled while no fiber waits, a skip
 * that lasted until the next readiness event would never end here), heap and direct buffers.
 */
@org.junit.jupiter.api.Timeout(60)
class ReadAfterShortReadTest {

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void dataThatCameAfterAShortReadIsReadWithoutWaitingOnceTheHubHasPolled(ParkedIoTest.Buffers buffers) throws Exception {
        String got = Hub.run(() -> {
            try (PinnedIoTest.Pair p = PinnedIoTest.Pair.open()) {
                StringBuilder sb = new StringBuilder();
                for (int round = 0; round < 3; round++) {
                    String word = "w" + round;
                    p.server().writeAll(ByteBuffer.wrap(word.getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer buf = buffers.allocate(64);
                    p.client().setTimeout(null);
                    int n = p.client().read(buf); // short: the queue is drained
                    p.server().writeAll(ByteBuffer.wrap("+".getBytes(StandardCharsets.US_ASCII)));
                    Fiber.sleep(Duration.ofMillis(1)); // parked on a timer: the hub polls before it wakes
                    p.client().setTimeout(Duration.ZERO); // only what is already there
                    n += p.client().read(buf);
                    sb.append(new String(PinnedIoTest.bytes(buf.flip()), StandardCharsets.US_ASCII)).append(n).append(' ');
                }
                return sb.toString();
            }
        });
        assertEquals("w0+3 w1+3 w2+3 ", got);
    }
}
