package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class QueueFamilyTest {

    @Test
    void aLifoQueueHandsOutTheNewestItemFirst() throws Exception {
        assertEquals(List.of(3, 2, 1), Hub.run(() -> {
            LifoQueue<Integer> q = new LifoQueue<>();
            q.put(1);
            q.put(2);
            q.put(3);
            return List.of(q.get(), q.get(), q.get());
        }));
    }

    @Test
    void aPriorityQueueHandsOutTheSmallestFirstAndKeepsTheOrderOfEqualItems() throws Exception {
        assertEquals(List.of("a1", "a2", "b1", "b2", "c"), Hub.run(() -> {
            PriorityQueue<String> q = new PriorityQueue<>(Comparator.comparing((String s) -> s.charAt(0)));
            for (String s : new String[] {"c", "b1", "a1", "b2", "a2"}) {
                q.put(s);
            }
            List<String> out = new ArrayList<>();
            while (!q.isEmpty()) {
                out.add(q.get());
            }
            return out;
        }));
        assertEquals(List.of(1, 2, 5), Hub.run(() -> {
            PriorityQueue<Integer> q = PriorityQueue.natural();
            q.put(5);
            q.put(1);
            q.put(2);
            return List.of(q.get(), q.get(), q.get());
        }));
    }

    @Test
    void aWaitingGetterOfAPriorityQueueGetsTheSmallestItemPresentWhenItRuns() throws Exception {
        assertEquals("1", Hub.run(() -> {
            PriorityQueue<String> q = new PriorityQueue<>(Comparator.naturalOrder());
            Fiber<String> getter = Fiber.spawn(q::get);
            Fiber.yield();
            q.put("3");
            q.put("1"); // before the getter runs: it was promised "an item", and takes the smallest
            return getter.get();
        }));
    }

    @Test
    void peekWaitsForAnItemAndTakesNothing() throws Exception {
        String trace = Hub.run(() -> {
            Queue<String> q = new Queue<>();
            StringBuilder sb = new StringBuilder();
            Fiber<Void> peeker = Fiber.spawn(() -> {
                String peeked = q.peek();
                sb.append("peeked ").append(peeked).append('\n');
            });
            Fiber.yield();
            sb.append("putting\n");
            q.put("x");
            peeker.join();
            sb.append("size ").append(q.size()).append(", peekNowait ").append(q.peekNowait()).append('\n');
            sb.append("get ").append(q.get()).append('\n');
            sb.append("peek(10ms) ").append(q.peek(Duration.ofMillis(10))).append('\n');
            return sb.toString();
        });
        assertEquals("""
                putting
                peeked x
                size 1, peekNowait x
                get x
                peek(10ms) null
                """, trace);
    }

    @Test
    void peekOnAClosedEmptyQueueThrowsAndPeekNowaitOnAnEmptyOneNamesTheAlternatives() throws Exception {
        Hub.run(() -> {
            Queue<String> q = new Queue<>();
            Fiber<String> peeker = Fiber.spawn(() -> q.peek());
            Fiber.yield();
            q.close();
            assertThrows(QueueClosedException.class, peeker::get);
            NoSuchElementException e = assertThrows(NoSuchElementException.class, q::peekNowait);
            assertTrue(e.getMessage().contains("peek()"), e.getMessage());
            assertNull(q.peek(Duration.ofMillis(1)));
        });
    }

    @Test
    void getNowaitAndPutNowaitThrowInsteadOfWaiting() throws Exception {
        Hub.run(() -> {
            Queue<String> q = new Queue<>(1);
            assertThrows(NoSuchElementException.class, q::getNowait);
            q.putNowait("a");
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> q.putNowait("b"));
            assertTrue(full.getMessage().contains("not added"), full.getMessage());
            assertEquals("a", q.getNowait());
            q.close();
            assertThrows(QueueClosedException.class, q::getNowait);
            assertThrows(QueueClosedException.class, () -> q.putNowait("c"));
        });
    }

    @Test
    void iterationGetsEveryItemUntilTheQueueIsClosed() throws Exception {
        assertEquals(List.of(0, 1, 2, 3, 4), Hub.run(() -> {
            Queue<Integer> q = new Queue<>(2);
            Fiber.spawn(() -> {
                for (int i = 0; i < 5; i++) {
                    q.put(i);
                }
                q.close();
            });
            List<Integer> got = new ArrayList<>();
            for (int item : q) {
                got.add(item);
            }
            return got;
        }));
    }

    @Test
    void aJoinableQueueJoinWaitsUntilEveryItemIsDone() throws Exception {
        String trace = Hub.run(() -> {
            JoinableQueue<Integer> q = new JoinableQueue<>();
            StringBuilder sb = new StringBuilder();
            assertTrue(q.join(Duration.ZERO), "nothing put: nothing to wait for");
            for (int w = 0; w < 2; w++) {
                Fiber.spawn(() -> {
                    for (int item : q) {
                        Fiber.sleep(5);
                        sb.append("done ").append(item).append('\n');
                        q.taskDone();
                    }
                });
            }
            for (int i = 0; i < 4; i++) {
                q.put(i);
            }
            assertFalse(q.join(Duration.ofMillis(1)), "still working");
            q.join();
            sb.append("joined, unfinished ").append(q.unfinishedTasks()).append('\n');
            q.close();
            IllegalStateException tooMany = assertThrows(IllegalStateException.class, q::taskDone);
            assertTrue(tooMany.getMessage().contains("more times than items"), tooMany.getMessage());
            return sb.toString();
        });
        assertEquals("""
                done 0
                done 1
                done 2
                done 3
                joined, unfinished 0
                """, trace);
    }

    @Test
    void aChannelPutWaitsForAGetter() throws Exception {
        String trace = Hub.run(() -> {
            Channel<String> ch = new Channel<>();
            StringBuilder sb = new StringBuilder();
            assertFalse(ch.offer("nobody waits"));
            assertThrows(IllegalStateException.class, () -> ch.putNowait("nobody waits"));
            Fiber<Void> putter = Fiber.spawn(() -> {
                sb.append("put starts\n");
                ch.put("a");
                sb.append("put returned\n");
            });
            Fiber.sleep(20);
            sb.append("after 20 ms: ").append(ch.putters()).append(" putter waiting\n");
            String got = ch.get();
            sb.append("got ").append(got).append('\n');
            putter.join();
            Fiber<String> getter = Fiber.spawn(ch::get);
            Fiber.yield();
            assertTrue(ch.offer("b"), "a getter waits, so offer hands over at once");
            sb.append("getter got ").append(getter.get()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                put starts
                after 20 ms: 1 putter waiting
                put returned
                got a
                getter got b
                """, trace);
    }

    @Test
    void anItemWhoseGetterWasKilledBeforeItRanGoesToTheNextGet() throws Exception {
        String trace = Hub.run(() -> {
            Channel<String> ch = new Channel<>();
            StringBuilder sb = new StringBuilder();
            Fiber<Void> putter = Fiber.spawn(() -> {
                ch.put("x");
                sb.append("put returned\n");
            });
            Fiber.yield(); // the putter waits
            Fiber<String> quitter = Fiber.spawn(ch::get);
            Fiber.yield(); // the quitter waits and signals the putter; kill it before either runs
            quitter.kill();
            Fiber.sleep(5);
            sb.append("quitter ").append(quitter.state()).append(", putter ").append(putter.state()).append('\n');
            sb.append("poll ").append(ch.poll()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                put returned
                quitter KILLED, putter SUCCEEDED
                poll x
                """, trace);
    }

    @Test
    void iteratingAChannelEndsWhenItIsClosed() throws Exception {
        assertEquals(List.of("a", "b"), Hub.run(() -> {
            Channel<String> ch = new Channel<>();
            Fiber.spawn(() -> {
                ch.put("a");
                ch.put("b");
                ch.close();
            });
            List<String> got = new ArrayList<>();
            for (String s : ch) {
                got.add(s);
            }
            return got;
        }));
    }

    @Test
    void closingAChannelWakesEveryWaitingPutterAndGetterAndAddsNothing() throws Exception {
        String trace = Hub.run(() -> {
            Channel<String> ch = new Channel<>();
            List<Fiber<String>> putters = new ArrayList<>();
            for (String item : new String[] {"a", "b"}) {
                putters.add(Fiber.spawn(() -> {
                    try {
                        ch.put(item);
                        return "put " + item;
                    } catch (QueueClosedException e) {
                        return "put " + item + " refused";
                    }
                }));
            }
            Fiber.yield();
            ch.close();
            Fiber<String> getter = Fiber.spawn(() -> {
                try {
                    return "got " + ch.get();
                } catch (QueueClosedException e) {
                    return "get refused";
                }
            });
            StringBuilder sb = new StringBuilder();
            for (Fiber<String> p : putters) {
                sb.append(p.get()).append('\n');
            }
            sb.append(getter.get()).append('\n').append("poll ").append(ch.poll()).append('\n');
            return sb.toString();
        });
        assertEquals("""
                put a refused
                put b refused
                get refused
                poll null
                """, trace);
    }

    /**
     * Issue 23, item 26: gevent's test_get_nowait_unlock_channel. A non-blocking get on a channel takes
     * a waiting putter's item (from a hub callback too), and that putter's put returns.
     */
    @Test
    void getNowaitOnAChannelTakesAWaitingPuttersItemEvenFromAHubCallback() throws Exception {
        Hub.run(() -> {
            Channel<Integer> ch = new Channel<>();
            Fiber<Void> p = Fiber.spawn(() -> ch.put(5));
            Fiber.sleep(1);
            assertEquals(1, ch.putters());
            List<Integer> result = new ArrayList<>();
            Hub.current().loop().callSoon(() -> result.add(ch.getNowait())); // outside any fiber, as gevent's run_callback
            Fiber.sleep(1);
            assertEquals(List.of(5), result);
            assertTrue(p.isDone());
            assertEquals(FiberState.SUCCEEDED, p.state());
            assertEquals(0, ch.putters());
            Fiber<Void> q = Fiber.spawn(() -> ch.put(6));
            Fiber.yield();
            assertEquals(6, ch.poll());
            q.join();
            assertNull(ch.poll());
            assertThrows(NoSuchElementException.class, ch::getNowait);
        });
    }

    @Test
    void aChannelPutterWhoseItemAPollTookJustBeforeItsKillReturnsAndIsKilledAtItsNextCall() throws Exception {
        List<String> trace = Hub.run(() -> {
            List<String> t = new ArrayList<>();
            Channel<String> ch = new Channel<>();
            Fiber<Void> p = Fiber.spawn(() -> {
                ch.put("item");
                t.add("put returned");
                Fiber.sleep(1);
                t.add("not reached");
            });
            Fiber.yield();
            t.add("polled " + ch.poll()); // the putter is made runnable with its put done ...
            p.kill(); // ... and killed before it runs: the put still returns, the kill comes next
            p.join();
            t.add("putter " + p.state());
            return t;
        });
        assertEquals(List.of("polled item", "put returned", "putter KILLED"), trace);
    }

    @Test
    void aChannelPutterAlreadyWokenByAKillKeepsItsItem() throws Exception {
        Hub.run(() -> {
            Channel<String> ch = new Channel<>();
            Fiber<Void> p = Fiber.spawn(() -> ch.put("mine"));
            Fiber.yield();
            p.kill(); // runnable now, its put about to throw
            assertNull(ch.poll(), "a putter already woken by a kill keeps its item: its put reports the kill");
            p.join();
            assertEquals(FiberState.KILLED, p.state());
            assertNull(ch.poll());
            return null;
        });
    }
}
