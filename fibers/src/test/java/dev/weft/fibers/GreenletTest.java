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
            // Events, not sleeps, order the two fibers (timers a few ms apart swapped on a loaded machine).
            StringBuilder sb = new StringBuilder();
            Event greenletBlocked = new Event();
            Event wakeGreenlet = new Event();
            Event driverDone = new Event();
            Fiber<Void> other = Fiber.spawn("other", () -> {
                sb.append("other 0\n");
                greenletBlocked.await();
                sb.append("other 1\n");
                wakeGreenlet.set();
                driverDone.await();
                sb.append("other 2\n");
            });
            Fiber<Void> driver = Fiber.spawn("driver", () -> {
                Greenlet root = Greenlet.current();
                Greenlet sleeper = new Greenlet(x -> {
                    sb.append("greenlet sleeps\n");
                    greenletBlocked.set();
                    wakeGreenlet.await(); // parks the driver fiber as a whole: "other" runs meanwhile
                    sb.append("greenlet woke in ").append(Fiber.current().name()).append('\n');
                    root.switchTo("pong");
                    return null;
                });
                Object reply = sleeper.switchTo("ping");
                sb.append("driver got ").append(reply).append('\n');
                driverDone.set();
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

    /**
     * Issue 23, item 7: a Timeout belongs to the greenlet that opened it (gevent throws it into the
     * greenlet that started it). It does not interrupt another greenlet that blocks; it is thrown by
     * its own greenlet's next blocking call once that greenlet runs again.
     */
    @Test
    void aTimeoutOpenedInOneGreenletNeverFiresInAnother() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            try (Timeout t = Timeout.after(Duration.ofMillis(10))) {
                Greenlet g = new Greenlet(x -> {
                    try {
                        Fiber.sleep(50);
                        return "the child slept its 50 ms";
                    } catch (FiberTimeoutException e) {
                        return "the child got the root's timeout";
                    }
                });
                sb.append(g.switchTo()).append('\n');
                assertTrue(t.isExpired(), "it expired while the child ran");
                try {
                    Fiber.sleep(1_000);
                    sb.append("the root slept\n");
                } catch (FiberTimeoutException e) {
                    sb.append("the root's next blocking call: its own timeout ").append(e.is(t)).append('\n');
                }
            }
            return sb.toString();
        });
        assertEquals("""
                the child slept its 50 ms
                the root's next blocking call: its own timeout true
                """, trace);
    }

    @Test
    void aTimeoutOfASiblingGreenletFiresInItOnceItRunsAgainAndEachClosesItsOwn() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Greenlet root = Greenlet.current();
            Greenlet[] g = new Greenlet[2];
            g[0] = new Greenlet("a", x -> {
                try (Timeout mine = Timeout.after(Duration.ofMillis(5))) {
                    g[1].switchTo(); // b runs, and blocks past a's deadline
                    sb.append("a is back\n");
                    Fiber.sleep(1_000);
                    sb.append("a slept\n");
                } catch (FiberTimeoutException e) {
                    sb.append("a got its own timeout at its next blocking call\n");
                }
                return root.switchTo("a done");
            }, root);
            g[1] = new Greenlet("b", x -> {
                Timeout bs = Timeout.after(Duration.ofSeconds(30));
                try {
                    Fiber.sleep(30);
                    sb.append("b slept its 30 ms\n");
                } catch (FiberTimeoutException e) {
                    sb.append("b got a timeout that is not its own\n");
                }
                g[0].switchTo(); // with bs still open: a closes its own timeout regardless
                bs.close();
                return "b done";
            }, root);
            sb.append(g[0].switchTo()).append('\n');
            sb.append(g[1].switchTo()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                b slept its 30 ms
                a is back
                a got its own timeout at its next blocking call
                a done
                b done
                """, trace);
    }

    @Test
    void aTimeoutCanOnlyBeClosedByTheGreenletThatOpenedIt() throws Exception {
        Hub.run(() -> {
            Timeout[] opened = new Timeout[1];
            Greenlet g = new Greenlet(x -> {
                opened[0] = Timeout.after(Duration.ofSeconds(30));
                Greenlet.current().parent().switchTo();
                opened[0].close();
                return null;
            });
            g.switchTo();
            IllegalStateException e = assertThrows(IllegalStateException.class, opened[0]::close);
            assertTrue(e.getMessage().contains("was opened in another greenlet"), e.getMessage());
            g.switchTo();
            assertTrue(g.isDead());
            return null;
        });
    }

    @Test
    void timeoutsAGreenletLeavesOpenEndWithIt() throws Exception {
        Hub.run(() -> {
            Greenlet g = new Greenlet(x -> {
                Timeout.after(Duration.ofMillis(1)); // never closed
                return "ended";
            });
            assertEquals("ended", g.switchTo());
            Fiber.sleep(5); // the root is not limited by it
            return null;
        });
    }

    /**
     * Issue 23, item 7, and greenlet's test_throw_goes_to_original_parent: an exception sent to a
     * parent that never started ends that parent without running it and goes on to its own parent
     * (it was dropped, and the parent ran with null).
     */
    @Test
    void anExceptionSentToAParentThatNeverStartedGoesOnToItsParent() throws Exception {
        String trace = Hub.run(() -> {
            StringBuilder sb = new StringBuilder();
            Greenlet root = Greenlet.current();
            VoidFunction f2 = () -> root.switchTo("from f2");
            // the child fails while its parent never ran
            Greenlet p = new Greenlet(x -> {
                sb.append("the parent ran with ").append(x).append('\n');
                return "p";
            });
            Greenlet c = new Greenlet("c", x -> {
                throw new IllegalArgumentException("boom");
            }, p);
            try {
                c.switchTo();
            } catch (IllegalArgumentException e) {
                sb.append("root caught ").append(e.getMessage()).append('\n');
            }
            sb.append("parent dead ").append(p.isDead()).append(" (its function never ran)\n");
            // throwInto a new greenlet whose parent never started
            Greenlet g1 = f1(root);
            Greenlet g2 = new Greenlet("g2", x -> f2.run(), g1);
            try {
                g2.throwInto(new IndexOutOfBoundsException("thrown"));
            } catch (IndexOutOfBoundsException e) {
                sb.append("both unstarted: root caught it, g2 dead ").append(g2.isDead()).append(", g1 dead ")
                        .append(g1.isDead()).append('\n');
            }
            // the same once g1 runs: it catches
            Greenlet g1again = f1(root);
            g1 = g1again;
            g2 = new Greenlet("g2", x -> f2.run(), g1again);
            sb.append(g1.switchTo()).append('\n');
            sb.append(g2.throwInto(new IndexOutOfBoundsException("thrown"))).append(", g2 dead ").append(g2.isDead())
                    .append(", g1 dead ").append(g1.isDead()).append('\n');
            // a value sent to a parent that never started starts it with that value
            Greenlet p2 = new Greenlet(x -> "p2 ran with " + x);
            Greenlet c2 = new Greenlet("c2", x -> 42, p2);
            sb.append(c2.switchTo()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                root caught boom
                parent dead true (its function never ran)
                both unstarted: root caught it, g2 dead true, g1 dead true
                f1 ready to catch
                caught, g2 dead true, g1 dead true
                p2 ran with 42
                """, trace);
    }

    /** greenlet's test_throw_goes_to_original_parent's f1: waits in the root, catches an IndexError. */
    private static Greenlet f1(Greenlet root) {
        return new Greenlet("g1", x -> {
            try {
                root.switchTo("f1 ready to catch");
            } catch (IndexOutOfBoundsException e) {
                return "caught";
            }
            return "normal exit";
        }, root);
    }

    private interface VoidFunction {
        Object run();
    }
}
