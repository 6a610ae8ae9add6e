package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class GreenletTest {

    /** The greenlet documentation's first example (gevent's seeds open with it). */
    @Test
    void theClassicExamplePrints12_56_34Then78() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder out = new StringBuilder();
            Greenlet[] gr = new Greenlet[2];
            gr[0] = new Greenlet(x -> {
                out.append("12\n");
                gr[1].switchTo();
                out.append("34\n");
                return null;
            });
            gr[1] = new Greenlet(x -> {
                out.append("56\n");
                gr[0].switchTo();
                out.append("78\n");
                return null;
            });
            gr[0].switchTo(); // 12, 56, 34: gr1 ends and returns to its parent, here
            out.append("back in the fiber; gr1 dead ").append(gr[0].isDead()).append(", gr2 dead ")
                    .append(gr[1].isDead()).append('\n');
            gr[1].switchTo(); // 78
            return out.toString();
        });
        assertEquals("""
                12
                56
                34
                back in the fiber; gr1 dead true, gr2 dead false
                78
                """, trace);
    }

    @Test
    void valuesTravelBothWaysAndTheReturnValueGoesToTheParent() throws Exception {
        List<Object> got = Hub.run(() -> {
            Greenlet root = Greenlet.current();
            Greenlet doubler = new Greenlet(first -> {
                int x = (Integer) first;
                while (x < 40) {
                    x = (Integer) root.switchTo(x * 2);
                }
                return "done at " + x;
            });
            List<Object> values = new ArrayList<>();
            values.add(doubler.switchTo(1)); // 2
            values.add(doubler.switchTo(5)); // 10
            values.add(doubler.switchTo(50)); // ends: its return value
            values.add(doubler.isDead());
            assertSame(doubler.parent(), root);
            assertNull(root.parent());
            return values;
        });
        assertEquals(List.of(2, 10, "done at 50", true), got);
    }

    @Test
    void throwIntoRaisesInTheGreenletAndAFailureReachesTheParent() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Greenlet root = Greenlet.current();
            Greenlet g = new Greenlet(x -> {
                try {
                    root.switchTo("waiting");
                    return "not reached";
                } catch (IllegalStateException e) {
                    sb.append("greenlet caught ").append(e.getMessage()).append('\n');
                    throw new IllegalArgumentException("rethrown to the parent");
                }
            });
            sb.append("first switch: ").append(g.switchTo()).append('\n');
            try {
                g.throwInto(new IllegalStateException("stop"));
            } catch (IllegalArgumentException e) {
                sb.append("parent got ").append(e.getMessage()).append('\n');
            }
            Greenlet unstarted = new Greenlet(x -> "never runs");
            try {
                unstarted.throwInto(new IllegalStateException("before start"));
            } catch (IllegalStateException e) {
                sb.append("unstarted: ").append(e.getMessage()).append(", dead ").append(unstarted.isDead()).append('\n');
            }
            return sb.toString();
        });
        assertEquals("""
                first switch: waiting
                greenlet caught stop
                parent got rethrown to the parent
                unstarted: before start, dead true
                """, trace);
    }

    @Test
    void switchingToADeadGreenletOrOneOfAnotherFiberOrHubIsRefused() throws Exception {
        CompletableFuture<Greenlet> foreign = new CompletableFuture<>();
        Thread other = new Thread(() -> {
            try {
                Hub.run(() -> foreign.complete(new Greenlet(x -> null)));
            } catch (Exception e) {
                foreign.completeExceptionally(e);
            }
        }, "other-hub");
        other.start();
        Greenlet ofOtherHub = foreign.get(10, TimeUnit.SECONDS);
        other.join();
        Hub.run(() -> {
            Greenlet g = new Greenlet("short", x -> "done", null);
            assertEquals("done", g.switchTo());
            IllegalStateException dead = assertThrows(IllegalStateException.class, g::switchTo);
            assertTrue(dead.getMessage().contains("has ended"), dead.getMessage());
            Greenlet ofOtherFiber = Fiber.spawn(() -> new Greenlet(x -> null)).get();
            IllegalStateException fiber = assertThrows(IllegalStateException.class, ofOtherFiber::switchTo);
            assertTrue(fiber.getMessage().contains("belongs to fiber"), fiber.getMessage());
            IllegalStateException hub = assertThrows(IllegalStateException.class, ofOtherHub::switchTo);
            assertTrue(hub.getMessage().contains("belongs to hub thread 'other-hub'"), hub.getMessage());
        });
        assertThrows(NotInFiberException.class, Greenlet::current);
    }

    @Test
    void aGreenletThatBlocksParksItsWholeFiberWhileOtherFibersRun() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Fiber<Void> other = Fiber.spawn("other", () -> {
                for (int i = 0; i < 3; i++) {
                    sb.append("other ").append(i).append('\n');
                    Fiber.sleep(10);
                }
            });
            Fiber<Void> driver = Fiber.spawn("driver", () -> {
                Greenlet root = Greenlet.current();
                Greenlet sleeper = new Greenlet(x -> {
                    sb.append("greenlet sleeps\n");
                    Fiber.sleep(15); // parks the driver fiber as a whole
                    sb.append("greenlet woke in ").append(Fiber.current().name()).append('\n');
                    root.switchTo("pong");
                    return null;
                });
                Object reply = sleeper.switchTo("ping");
                sb.append("driver got ").append(reply).append('\n');
            });
            driver.get();
            other.get();
            return sb.toString();
        });
        assertEquals("""
                other 0
                greenlet sleeps
                other 1
                greenlet woke in driver
                driver got pong
                other 2
                """, trace);
    }

    @Test
    void killingTheFiberUnwindsTheRunningGreenletAndItsParentChain() throws Exception {
        List<String> trace = new ArrayList<>();
        Hub.run(() -> {
            Fiber<Void> driver = Fiber.spawn(() -> {
                try {
                    Greenlet outer = new Greenlet(x -> {
                        Greenlet inner = new Greenlet(y -> {
                            try {
                                Fiber.sleep(10_000);
                                return null;
                            } finally {
                                trace.add("inner finally");
                            }
                        });
                        try {
                            return inner.switchTo();
                        } finally {
                            trace.add("outer finally");
                        }
                    });
                    outer.switchTo();
                } finally {
                    trace.add("fiber finally");
                }
            });
            Fiber.sleep(5);
            assertTrue(driver.kill(Duration.ofSeconds(5)));
            assertEquals(FiberState.KILLED, driver.state());
        });
        assertEquals(List.of("inner finally", "outer finally", "fiber finally"), trace);
    }

    @Test
    void aTimeoutOfTheFiberReachesTheGreenletThatBlocks() throws Exception {
        assertEquals("timed out in the greenlet", Hub.run(() -> {
            try (Timeout t = Timeout.after(Duration.ofMillis(10))) {
                Greenlet g = new Greenlet(x -> {
                    try {
                        Fiber.sleep(10_000);
                        return "slept";
                    } catch (FiberTimeoutException e) {
                        return e.is(t) ? "timed out in the greenlet" : "other";
                    }
                });
                Object r = g.switchTo();
                assertTrue(g.isDead());
                return r;
            }
        }));
    }
}
