package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, items 6 and 9: {@link Futures#awaitOrCancel} never orphans a value that arrived in the
 * same loop iteration as the kill or Timeout that ended the wait, and abandoned waits leave nothing
 * behind on the stage, however many there are.
 */
@org.junit.jupiter.api.Timeout(60)
class FuturesAbandonTest {

    @Test
    void aValueThatArrivesInTheSameIterationAsTheKillIsReturnedAndTheKillComesNext() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Fiber<Void> waiter = Fiber.spawn("waiter", () -> {
                String v = Futures.awaitOrCancel(cf);
                trace.add("got " + v);
                try {
                    Fiber.sleep(1);
                    trace.add("slept");
                } catch (FiberKilledError e) {
                    trace.add("then killed");
                    throw e;
                }
            });
            Fiber.yield(); // the waiter waits
            cf.complete("the connection"); // on the hub thread: the waiter is made runnable with it
            waiter.kill(); // same iteration: the waiter has not run yet
            waiter.join();
            assertEquals(FiberState.KILLED, waiter.state());
            assertFalse(cf.isCancelled());
        });
        assertEquals(List.of("got the connection", "then killed"), trace);
    }

    @Test
    void aValueThatArrivesInTheSameIterationAsTheTimeoutIsReturnedAndTheTimeoutComesNext() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Fiber<Void> waiter = Fiber.spawn("waiter", () -> {
                try (Timeout t = Timeout.after(Duration.ofMillis(20))) {
                    try {
                        trace.add("got " + Futures.awaitOrCancel(cf));
                        Fiber.sleep(Duration.ofSeconds(10));
                        trace.add("slept");
                    } catch (FiberTimeoutException e) {
                        trace.add("then timed out, its own: " + e.is(t));
                    }
                }
            });
            Fiber.yield(); // the waiter waits, its Timeout's timer set for 20 ms from now
            // A timer due before the Timeout's completes the future on the hub; this fiber then keeps
            // the hub busy past both deadlines, so that both timers fire in one iteration, in order.
            Hub.current().loop.scheduleAt(System.nanoTime() + 10_000_000L, () -> cf.complete("the response"));
            long until = System.nanoTime() + 40_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            waiter.join();
            assertFalse(cf.isCancelled());
        });
        assertEquals(List.of("got the response", "then timed out, its own: true"), trace);
    }

    @Test
    void aWaitAbandonedBeforeTheValueCameCancelsTheStage() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                Futures.awaitOrCancel(cf);
            } catch (FiberTimeoutException expected) {
                // nothing came: the stage is cancelled
            }
            assertTrue(cf.isCancelled());
            return null;
        });
    }

    @Test
    void aPlainFutureCompletedAsTheWaiterIsKilledIsNotOrphanedEither() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            FutureTask<String> task = new FutureTask<>(() -> "computed");
            Fiber<Void> waiter = Fiber.spawn("waiter", () -> {
                trace.add("got " + Futures.awaitFutureOrCancel(task));
            });
            Fiber.yield();
            task.run(); // done on the hub thread: the virtual getter thread will hand it over
            waiter.kill(); // killed before the hand-off: the cancel fails, the value is there
            waiter.join();
        });
        assertEquals(List.of("got computed"), trace);
    }

    @Test
    void abandonedWaitsLeaveOneCallbackOnTheStageHoweverManyThereAre() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> never = new CompletableFuture<>();
            for (int i = 0; i < 20_000; i++) {
                try (Timeout t = Timeout.after(Duration.ZERO)) {
                    Futures.await(never);
                } catch (FiberTimeoutException expected) {
                    // abandoned
                }
            }
            assertTrue(never.getNumberOfDependents() <= 1, never.getNumberOfDependents() + " callbacks left on the stage");
            assertEquals(1, Hub.current().core.stageWaits().size());
            // the stage still delivers to a later waiter, and is then forgotten
            Fiber<String> late = Fiber.spawn(() -> Futures.await(never));
            Fiber.yield();
            never.complete("at last");
            assertEquals("at last", late.get());
            assertEquals(0, Hub.current().core.stageWaits().size());
            return null;
        });
    }

    @Test
    void manyFibersWaitingForOneStageShareOneCallbackAndAllGetTheValue() throws Exception {
        Hub.run(() -> {
            CompletableFuture<Integer> cf = new CompletableFuture<>();
            List<Fiber<Integer>> waiters = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                waiters.add(Fiber.spawn(() -> Futures.await(cf) + 1));
            }
            Fiber.yield();
            assertEquals(1, cf.getNumberOfDependents());
            Thread.ofPlatform().start(() -> cf.complete(41)).join(); // from another thread
            for (Fiber<Integer> w : waiters) {
                assertEquals(42, w.get());
            }
            return null;
        });
    }

    @Test
    void aStageThatIsNotACompletableFutureIsAwaitedToo() throws Exception {
        Hub.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            CompletionStage<String> minimal = cf.minimalCompletionStage();
            Fiber<String> w = Fiber.spawn(() -> Futures.await(minimal.thenApply(s -> s + "!")));
            Fiber.yield();
            cf.complete("done");
            assertEquals("done!", w.get());
            return null;
        });
    }
}
