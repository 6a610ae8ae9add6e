package dev.weft.tls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hub's handshake turn: who gets it next, and that a fiber killed while waiting loses nothing. */
@Timeout(30)
class HandshakeTurnTest {

    /** A fiber that takes the turn ({@code continuing}: to continue a handshake), notes its name, gives it back. */
    private static Fiber<Void> step(HandshakeTurn turn, String name, boolean continuing, List<String> order) {
        return Fiber.spawn(name, () -> {
            boolean took = continuing ? turn.takeToContinue() : turn.take();
            assertTrue(took);
            order.add(name);
            turn.give();
        });
    }

    /** A fiber that takes the turn and holds it until {@code release} is set. */
    private static Fiber<Void> holder(HandshakeTurn turn, Event release) {
        return Fiber.spawn("holder", () -> {
            turn.take();
            release.await();
            turn.give();
        });
    }

    @Test
    void aHandshakeWhosePeerAnsweredGoesBeforeTheOnesNotStartedYet() throws Exception {
        List<String> order = Hub.run(() -> {
            HandshakeTurn turn = HandshakeTurn.ofThisHub();
            List<String> steps = new ArrayList<>();
            Event release = new Event();
            Fiber<Void> holder = holder(turn, release);
            List<Fiber<Void>> fibers = new ArrayList<>(List.of(holder));
            fibers.add(step(turn, "new-1", false, steps));
            fibers.add(step(turn, "new-2", false, steps));
            fibers.add(step(turn, "finishing-1", true, steps));
            fibers.add(step(turn, "new-3", false, steps));
            fibers.add(step(turn, "finishing-2", true, steps));
            Fiber.yield(); // every fiber above has run until it waits for the turn
            assertEquals(5, turn.waiting());
            release.set();
            assertTrue(Fiber.joinAll(fibers, Duration.ofSeconds(10)));
            assertEquals(0, turn.waiting());
            return steps;
        });
        assertEquals(List.of("finishing-1", "finishing-2", "new-1", "new-2", "new-3"), order);
    }

    @Test
    void aFiberKilledWhileItWaitsHoldsNothingAndTheNextOneGetsTheTurn() throws Exception {
        List<String> order = Hub.run(() -> {
            HandshakeTurn turn = HandshakeTurn.ofThisHub();
            List<String> steps = new ArrayList<>();
            Event release = new Event();
            Fiber<Void> holder = holder(turn, release);
            Fiber<Void> killed = step(turn, "killed", true, steps);
            Fiber<Void> next = step(turn, "next", false, steps);
            Fiber.yield();
            assertEquals(2, turn.waiting());
            killed.kill();
            assertTrue(killed.join(Duration.ofSeconds(10)));
            assertEquals(1, turn.waiting());
            release.set();
            assertTrue(Fiber.joinAll(List.of(holder, next), Duration.ofSeconds(10)));
            // free again: a newcomer takes it at once
            Fiber<Void> later = step(turn, "later", false, steps);
            assertTrue(later.join(Duration.ofSeconds(10)));
            assertFalse(turn.isHeld());
            return steps;
        });
        assertEquals(List.of("next", "later"), order);
    }
}
