package dev.weft.sockets.sim;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberFunction;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.Waitable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * The scenarios that found two defects fixed earlier (issue 23, items 1 and 26), written for virtual
 * time: every duration is drawn from the seed. Each takes the implementation under test, so the same
 * scenario runs against the fixed code ({@code Pool.imapUnordered}, {@code Waitable.iwait}) and against
 * the kept mutants ({@link OldImapUnordered}, {@link OldIwait}). Fiber code; throws AssertionError when
 * the invariant breaks.
 */
final class DefectScenarios {
    /** An unordered imap over a pool: the fixed one or the mutant. */
    interface Imap {
        Iterator<Integer> of(Pool pool, FiberFunction<Integer, Integer> f, List<Integer> items, int maxInFlight);
    }

    static final Imap FIXED_IMAP = Pool::imapUnordered;
    static final Imap OLD_IMAP = OldImapUnordered::new;
    static final BiFunction<List<Event>, Duration, Iterator<Event>> FIXED_IWAIT =
            (events, timeout) -> Waitable.iwait(events, timeout).iterator();
    static final BiFunction<List<Event>, Duration, Iterator<Event>> OLD_IWAIT = OldIwait::new;

    private DefectScenarios() {
    }

    /**
     * A {@code Pool(2)} shared with a fiber that keeps taking slots; an imap over 8 items whose consumer
     * wraps every {@code hasNext}/{@code next} in a 1-15 ms Timeout and retries; every item must come back
     * exactly once.
     */
    static void imapKeepsEveryItem(long seed, Imap imap) {
        SplittableRandom r = new SplittableRandom(seed);
        Pool pool = new Pool(2);
        Fiber<Void> other = Fiber.spawn(() -> {
            for (int i = 0; i < 30; i++) {
                long hold = 1 + r.nextInt(8);
                pool.spawn(() -> Fiber.sleep(hold));
                Fiber.sleep(r.nextInt(4));
            }
        });
        List<Integer> items = IntStream.range(0, 8).boxed().toList();
        Iterator<Integer> it = imap.of(pool, i -> {
            Fiber.sleep(1 + r.nextInt(5));
            return i;
        }, items, 3);
        TreeSet<Integer> got = new TreeSet<>();
        List<Integer> all = new ArrayList<>();
        while (true) {
            try (Timeout t = Timeout.after(Duration.ofMillis(1 + r.nextInt(15)))) {
                if (!it.hasNext()) {
                    break;
                }
                Integer v = it.next();
                got.add(v);
                all.add(v);
            } catch (FiberTimeoutException retry) {
                // the consumer goes on: nothing may be lost
            }
        }
        other.join();
        pool.join(null);
        if (!got.equals(new TreeSet<>(items)) || all.size() != items.size()) {
            throw new AssertionError("imap returned " + all + " for the items " + items);
        }
    }

    /**
     * Four Events, each set once at a random moment and cleared 0-3 ms later, while the consumer of an
     * iwait over them spends 0-6 ms on every item: every Event must be returned.
     */
    static void iwaitSeesEverySetEvent(long seed, BiFunction<List<Event>, Duration, Iterator<Event>> iwait) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Event> events = List.of(new Event(), new Event(), new Event(), new Event());
        Event began = new Event();
        Fiber<Void> setter = Fiber.spawn(() -> {
            began.await();
            List<Event> order = new ArrayList<>(events);
            for (int i = order.size() - 1; i > 0; i--) {
                java.util.Collections.swap(order, i, r.nextInt(i + 1));
            }
            for (Event e : order) {
                Fiber.sleep(r.nextInt(10));
                e.set();
                Fiber.sleep(r.nextInt(4));
                e.clear();
            }
        });
        Iterator<Event> it = iwait.apply(events, Duration.ofSeconds(1));
        began.set();
        int returned = 0;
        while (it.hasNext()) {
            it.next();
            returned++;
            Fiber.sleep(r.nextInt(7)); // handling the item
        }
        setter.join();
        if (returned != events.size()) {
            throw new AssertionError("iwait returned " + returned + " of " + events.size() + " Events, each of them set");
        }
    }
}
