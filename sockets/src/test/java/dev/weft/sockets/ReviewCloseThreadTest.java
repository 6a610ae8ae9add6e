package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.WrongThreadException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Review reproducer: Connection's thread rule, "refused before it touches anything", for close(). */
@org.junit.jupiter.api.Timeout(60)
class ReviewCloseThreadTest {
    @Test
    void aCloseFromAnotherThreadIsRefusedBeforeItRecordsACloser() throws Exception {
        Hub.run(() -> {
            StreamServer s = StreamServer.builder(tcp -> tcp.read(ByteBuffer.allocate(1))).bind("127.0.0.1", 0).start();
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5))) {
                Throwable refused = Fiber.await(CompletableFuture.supplyAsync(() -> {
                    try {
                        c.close();
                        return null;
                    } catch (Throwable e) {
                        return e;
                    }
                }, r -> new Thread(r, "not the hub").start()));
                assertInstanceOf(WrongThreadException.class, refused, "close from another thread is refused");
                assertTrue(c.isOpen(), "the refused close left the socket open");
                assertNull(c.closedBy(), "an open socket names no closer (it would be reported as 'closed by' a thread that never closed it)");
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
            return null;
        });
    }
}
