package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class FiberLinkKillStartTest {

    @Test
    void aLinkRunsInItsOwnFiberMayBlockAndObservesTheFailure() throws Exception {
        List<String> trace = new ArrayList<>();
        List<String> uncaught = new ArrayList<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(f + " " + t.getMessage()));
            Fiber<Void> failing = Fiber.spawn("failing", () -> {
                Fiber.sleep(5);
                throw new IllegalStateException("boom");
            });
            Event linked = new Event();
            failing.link(f -> {
                Fiber.sleep(5); // a link may block: it runs in a fiber
                trace.add("link saw " + f.state() + " " + f.failure().getMessage() + " in "
                        + Fiber.current().name());
                linked.set();
            });
            linked.await();
        });
        assertEquals(List.of("link saw FAILED boom in link of #2 'failing'"), trace);
        assertEquals(List.of(), uncaught, "a link counts as observing the failure");
    }

    @Test
    void unlinkGivesTheFailureBackToTheUncaughtHandlerAndLinkValueDoesNotObserve() throws Exception {
        List<String> trace = new ArrayList<>();
        List<String> uncaught = new ArrayList<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t.getMessage()));
            Consumer<Fiber<Void>> link = f -> trace.add("unlinked link ran");
            Fiber<Void> a = Fiber.spawn(() -> {
                Fiber.sleep(5);
                throw new IllegalStateException("a");
            });
            a.link(link);
            assertTrue(a.unlink(link));
            assertFalse(a.unlink(link));
            Fiber<Void> b = Fiber.spawn(() -> {
                throw new IllegalStateException("b");
            });
            b.linkValue(f -> trace.add("linkValue ran"));
            b.linkException(f -> trace.add("linkException saw " + f.failure().getMessage()));
            Fiber<String> c = Fiber.spawn(() -> "ok");
            c.linkValue(f -> trace.add("linkValue saw " + f.get()));
            c.linkException(f -> trace.add("linkException ran"));
            Waitable.waitAll(List.of(a, b, c)); // does not observe their failures
            Fiber.sleep(5); // the links' own fibers run
        });
        assertEquals(List.of("linkException saw b", "linkValue saw ok"), trace);
        assertEquals(List.of("a"), uncaught);
    }

    @Test
    void killWithAnExceptionThrowsItInTheFiberAndGetRethrowsIt() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Void> f = Fiber.spawn(() -> {
                try {
                    Fiber.sleep(10_000);
                } finally {
                    trace.add("finally ran");
                }
            });
            Fiber.yield();
            IllegalStateException cause = new IllegalStateException("shutting down");
            f.kill(cause);
            assertSame(cause, assertThrows(IllegalStateException.class, f::get));
            assertEquals(FiberState.FAILED, f.state());
            Fiber<Void> notStarted = Fiber.spawn(() -> { trace.add("never"); });
            notStarted.kill(new IllegalStateException("before start"));
            notStarted.join();
            assertEquals(FiberState.KILLED, notStarted.state());
            IllegalArgumentException checked = assertThrows(IllegalArgumentException.class,
                    () -> notStarted.kill(new IOException("checked")));
            assertTrue(checked.getMessage().contains("unchecked"), checked.getMessage());
            assertThrows(IllegalStateException.class, () -> Fiber.current().kill(new IllegalStateException("me")));
        });
        assertEquals(List.of("finally ran"), trace);
    }

    @Test
    void aCreatedFiberWaitsForStartAndCanBeStartedOnlyOnce() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<String> f = Fiber.create("later", () -> {
                trace.add("ran");
                return "result";
            });
            Fiber.sleep(5);
            trace.add("after 5 ms: " + f.state());
            f.start();
            assertThrows(IllegalStateException.class, f::start);
            trace.add("got " + f.get());
            IllegalStateException spawned = assertThrows(IllegalStateException.class, Fiber.spawn(() -> { })::start);
            assertTrue(spawned.getMessage().contains("already started"), spawned.getMessage());
            Fiber<Void> killed = Fiber.create("killed", () -> { trace.add("never"); });
            killed.kill();
            assertEquals(FiberState.KILLED, killed.state());
            Fiber<Void> delayed = Fiber.create("delayed", () -> { trace.add("delayed ran"); });
            long start = System.nanoTime();
            delayed.startLater(Duration.ofMillis(20));
            delayed.join();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 20 && ms < 5000, "started after " + ms + " ms");
            Fiber.create("left unstarted", () -> { trace.add("never"); });
        });
        assertEquals(List.of("after 5 ms: NEW", "ran", "got result", "delayed ran"), trace);
    }

    /**
     * Issue 23, item 26: an unlink called from inside a link, after the fiber ended, said true but the
     * other callback ran anyway. True now means it does not run.
     */
    @Test
    void unlinkFromInsideALinkAfterTheEndKeepsTheOtherCallbackFromRunning() throws Exception {
        List<String> trace = Hub.run(() -> {
            List<String> t = new ArrayList<>();
            Fiber<Void> f = Fiber.spawn(() -> { });
            Consumer<Fiber<Void>> second = x -> t.add("second ran");
            Consumer<Fiber<Void>> first = x -> t.add("first ran, unlink(second) = " + x.unlink(second));
            f.link(first);
            f.link(second);
            f.join();
            Fiber.sleep(1); // the links run in their own fibers
            t.add("unlink(first) after it ran = " + f.unlink(first));
            return t;
        });
        assertEquals(List.of("first ran, unlink(second) = true", "unlink(first) after it ran = false"), trace);
    }

    /** Issue 23, item 26: any positive delay works (the duration rule); it threw ArithmeticException beyond ~292 years. */
    @Test
    void spawnLaterAndStartLaterTakeAnyDelay() throws Exception {
        Hub.run(() -> {
            Fiber<String> far = Fiber.spawnLater(Duration.ofDays(365L * 300), () -> "ran");
            Fiber<String> max = Fiber.spawnLater(Duration.ofSeconds(Long.MAX_VALUE), () -> "ran");
            Fiber<Void> created = Fiber.create("created", () -> { });
            created.startLater(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
            Fiber<String> soon = Fiber.spawnLater(Duration.ofSeconds(-5), () -> "soon");
            assertEquals("soon", soon.get());
            Fiber.sleep(5);
            assertEquals(FiberState.NEW, far.state());
            assertEquals(FiberState.NEW, max.state());
            assertEquals(FiberState.NEW, created.state());
            assertTrue(Hub.current().dump().contains("a start delay of 146 years or more"), Hub.current().dump());
            far.kill();
            max.kill();
            created.kill();
            assertEquals(FiberState.KILLED, far.state());
        });
    }
}
