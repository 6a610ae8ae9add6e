package dev.weft.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The timer heap alone, with made-up deadlines (no clock involved). */
class TimerHeapTest {

    @Test
    void pollsInDeadlineOrderAndEqualDeadlinesInSchedulingOrder() {
        TimerHeap heap = new TimerHeap();
        long seq = 0;
        for (long d : new long[] {50, 10, 30, 10, 40, 10}) {
            heap.add(new Timer(d, seq++, null));
        }
        StringBuilder trace = new StringBuilder();
        Timer t;
        while ((t = heap.poll()) != null) {
            trace.append(t.deadline).append('/').append(t.sequence).append(' ');
        }
        assertEquals("10/1 10/3 10/5 30/2 40/4 50/0 ", trace.toString());
    }

    @Test
    void removeTakesOutExactlyThatTimerAndMarksItNotPending() {
        TimerHeap heap = new TimerHeap();
        List<Timer> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Timer t = new Timer(i * 7 % 23, i, null);
            all.add(t);
            heap.add(t);
        }
        Timer victim = all.get(42);
        assertTrue(victim.isPending());
        assertTrue(heap.remove(victim));
        assertFalse(victim.isPending());
        assertFalse(heap.remove(victim), "a second remove finds nothing");
        assertEquals(99, heap.size());
        Timer prev = null;
        Timer t;
        while ((t = heap.poll()) != null) {
            assertTrue(t != victim);
            if (prev != null) {
                assertTrue(prev.before(t), prev.deadline + " before " + t.deadline);
            }
            prev = t;
        }
    }

    @Test
    void randomAddsAndRemovesMatchASortedModel() {
        Random rnd = new Random(7);
        TimerHeap heap = new TimerHeap();
        TreeMap<Long, Timer> model = new TreeMap<>(); // key: deadline * 1e6 + sequence
        List<Timer> live = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(3);
            if (op < 2 || live.isEmpty()) {
                Timer t = new Timer(rnd.nextInt(1000), step, null);
                heap.add(t);
                live.add(t);
                model.put(t.deadline * 1_000_000 + t.sequence, t);
            } else if (rnd.nextBoolean()) {
                Timer t = live.remove(rnd.nextInt(live.size()));
                assertTrue(heap.remove(t));
                model.remove(t.deadline * 1_000_000 + t.sequence);
            } else {
                Timer t = heap.poll();
                assertEquals(model.pollFirstEntry().getValue(), t);
                live.remove(t);
            }
            assertEquals(model.size(), heap.size());
        }
        while (!model.isEmpty()) {
            assertEquals(model.pollFirstEntry().getValue(), heap.poll());
        }
        assertNull(heap.poll());
    }
}
