package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueTest {

    @Test
    void itemsComeOutInTheOrderTheyWentIn() throws Exception {
        assertEquals(List.of(1, 2, 3), Hub.run(() -> {
            Queue<Integer> q = new Queue<>();
            q.put(1);
            q.put(2);
            assertTrue(q.offer(3));
            return List.of(q.get(), q.poll(), q.get());
        }));
    }

    @Test
    void waitingGettersAreServedInFifoOrderAndNewcomersDoNotOvertake() throws Exception {
        String trace = Hub.run(() -> {
            Queue<String> q = new Queue<>();
            StringBuilder sb = new StringBuilder();
            for (String name : new String[] {"a", "b", "c"}) {
                Fiber.spawn(name, () -> {
                    String got = q.get();
                    sb.append(name).append(" got ").append(got).append('\n');
                });
            }
            Fiber.yield();
            q.put("1");
            q.put("2");
            sb.append("newcomer polls ").append(q.poll()).append('\n');
            q.put("3");
            Fiber.yield();
            return sb.toString();
        });
        assertEquals("""
                newcomer polls null
                a got 1
                b got 2
                c got 3
                """, trace);
    }

    @Test
    void waitingPuttersAreServedInFifoOrder() throws Exception {
        String trace = Hub.run(() -> {
            Queue<String> q = new Queue<>(1);
            q.put("0");
            StringBuilder sb = new StringBuilder();
            for (String name : new String[] {"a", "b", "c"}) {
                Fiber.spawn(name, () -> {
                    q.put(name);
                    sb.append(name).append(" put\n");
                });
            }
            Fiber.yield();
            assertFalse(q.offer("newcomer"), "a free slot is reserved for the first waiting putter");
            for (int i = 0; i < 4; i++) {
                sb.append("got ").append(q.get()).append('\n');
                Fiber.yield();
            }
            return sb.toString();
        });
        assertEquals("""
                got 0
                a put
                got a
                b put
                got b
                c put
                got c
                """, trace);
    }

    @Test
    void aBoundedQueueBlocksPutWhileFull() throws Exception {
        Hub.run(() -> {
            Queue<Integer> q = new Queue<>(2);
            q.put(1);
            q.put(2);
            assertFalse(q.offer(3));
            assertFalse(q.offer(3, Duration.ofMillis(10)));
            assertEquals(2, q.size());
            assertEquals(2, q.capacity());
        });
    }

    @Test
    void closeWakesEveryWaiterAndGettersDrainFirst() throws Exception {
        List<String> trace = Hub.run(() -> {
            List<String> t = new ArrayList<>();
            Queue<String> empty = new Queue<>();
            Fiber<?> getter = Fiber.spawn(() -> {
                try {
                    empty.get();
                } catch (QueueClosedException e) {
                    t.add("getter: " + e.getMessage());
                }
            });
            Queue<String> full = new Queue<>(1);
            full.put("left over");
            Fiber<?> putter = Fiber.spawn(() -> {
                try {
                    full.put("never added");
                } catch (QueueClosedException e) {
                    t.add("putter: " + e.getMessage());
                }
            });
            Fiber.yield();
            empty.close();
            full.close();
            Fiber.joinAll(List.of(getter, putter), Duration.ofSeconds(5));
            t.add("drained: " + full.get());
            t.add("then poll: " + full.poll() + ", " + full.poll(Duration.ofMillis(1)));
            assertThrows(QueueClosedException.class, full::get);
            assertThrows(QueueClosedException.class, () -> full.put("x"));
            return t;
        });
        assertEquals(4, trace.size(), trace.toString());
        assertTrue(trace.get(0).startsWith("getter: the queue was closed"), trace.toString());
        assertTrue(trace.get(1).startsWith("putter: put on a closed queue: the item was not added"), trace.toString());
        assertEquals("drained: left over", trace.get(2));
        assertEquals("then poll: null, null", trace.get(3));
    }

    @Test
    void aGetterKilledAfterBeingServedLeavesTheItemForTheNext() throws Exception {
        assertEquals("x", Hub.run(() -> {
            Queue<String> q = new Queue<>();
            Fiber<String> first = Fiber.spawn(q::get);
            Fiber<String> second = Fiber.spawn(q::get);
            Fiber.yield();
            q.put("x");   // reserved for `first`, which has not run yet
            first.kill(); // dies before taking it
            assertTrue(first.join(Duration.ofSeconds(5)));
            return second.get(Duration.ofSeconds(5));
        }));
    }

    @Test
    void aGetterWhoseTimeoutRacesTheItemEitherTakesItOrLeavesIt() throws Exception {
        Hub.run(() -> {
            for (int i = 0; i < 200; i++) {
                Queue<Integer> q = new Queue<>();
                int n = i;
                Fiber<Integer> getter = Fiber.spawn(() -> q.poll(Duration.ofNanos(1 + n * 1000L)));
                Fiber.sleep(Duration.ofNanos(n * 1000L));
                q.put(n);
                Integer got = getter.get();
                Integer left = q.poll();
                assertTrue((got == null) != (left == null), "exactly one has the item: got " + got + ", left " + left);
            }
        });
    }

    @Test
    void nullItemsAndBadCapacitiesAreRefused() throws Exception {
        Hub.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> new Queue<String>(0));
            Queue<String> q = new Queue<>();
            assertThrows(NullPointerException.class, () -> q.put(null));
            assertNull(q.poll());
        });
    }
}
