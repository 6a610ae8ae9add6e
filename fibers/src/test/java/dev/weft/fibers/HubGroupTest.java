package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 24, item 1: a group of hubs, each on its own thread, started and stopped together. */
@org.junit.jupiter.api.Timeout(60)
class HubGroupTest {

    @Test
    void eachHubRunsOnItsOwnThreadAndKnowsItsGroup() throws Exception {
        try (HubGroup group = HubGroup.start(3)) {
            assertEquals(3, group.size());
            Set<String> threads = new TreeSet<>();
            for (int i = 0; i < 3; i++) {
                int index = i;
                String seen = group.spawnOn(i, () -> {
                    assertSame(group, HubGroup.current());
                    assertEquals(index, group.indexOf(Hub.current()));
                    return Thread.currentThread().getName();
                }).get(10, TimeUnit.SECONDS);
                assertEquals(group.name() + "-" + i, seen);
                assertEquals(seen, group.hubs().get(i).thread().getName());
                threads.add(seen);
            }
            assertEquals(3, threads.size());
            assertEquals(null, HubGroup.current(), "the test thread runs no hub");
        }
    }

    @Test
    void spawnOnEachReachesTheFibersOfEveryHub() throws Exception {
        try (HubGroup group = HubGroup.start(3)) {
            // on each hub, a fiber waits for a message with that hub's own Event
            List<java.util.concurrent.CompletableFuture<String>> got = new ArrayList<>();
            List<Event> arrived = new ArrayList<>();
            String[] box = new String[3];
            for (int i = 0; i < 3; i++) {
                int index = i;
                Event e = group.spawnOn(i, Event::new).get(10, TimeUnit.SECONDS);
                arrived.add(e);
                got.add(group.spawnOn(i, () -> {
                    e.await();
                    return Thread.currentThread().getName() + " got " + box[index];
                }));
            }
            List<java.util.concurrent.CompletableFuture<Void>> sent = group.spawnOnEach(() -> {
                int index = group.indexOf(Hub.current());
                box[index] = "hello";
                arrived.get(index).set(); // this hub's event, from this hub's fiber
                return null;
            });
            for (var f : sent) {
                f.get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(group.name() + "-" + i + " got hello", got.get(i).get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void spawnPicksTheHubWithFewestLiveFibers() throws Exception {
        try (HubGroup group = HubGroup.start(2)) {
            AsyncResult<Void> release = group.spawnOn(0, () -> {
                AsyncResult<Void> r = new AsyncResult<>();
                for (int i = 0; i < 5; i++) {
                    Fiber.spawn(() -> r.get());
                }
                return r;
            }).get(10, TimeUnit.SECONDS);
            assertTrue(group.load(0) >= 5, "hub 0 holds its 5 parked fibers: " + group.load(0));
            List<Integer> placed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                placed.add(group.spawn(() -> group.indexOf(Hub.current())).get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of(1, 1, 1), placed);
            release.set(null);
        }
    }

    @Test
    void stopRunsEveryHubsStopActionsWithTheGraceThenUnwindsEveryFiber() throws Exception {
        HubGroup group = HubGroup.start(2);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        AtomicInteger finallies = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            int index = i;
            group.spawnOn(i, () -> {
                group.onStop(grace -> seen.add("hub " + index + " stops with " + grace.toMillis() + " ms"));
                for (int f = 0; f < 10; f++) {
                    Fiber.spawn(() -> {
                        try {
                            new Event().await(); // held open by the group's hub; killed at the stop
                        } finally {
                            finallies.incrementAndGet();
                        }
                    });
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
        }
        group.stop(Duration.ofMillis(250));
        assertEquals(Set.of("hub 0 stops with 250 ms", "hub 1 stops with 250 ms"), Set.copyOf(seen));
        assertEquals(20, finallies.get());
        for (Hub hub : group.hubs()) {
            assertFalse(hub.thread().isAlive(), hub.thread().getName() + " was joined");
        }
        assertThrows(RejectedExecutionException.class, () -> group.spawnOn(0, () -> 1));
        group.stop(Duration.ZERO); // idempotent
    }

    @Test
    void aFailingHubIsReportedWithoutHidingTheOthers() throws Exception {
        HubGroup group = HubGroup.start(3);
        AtomicInteger unwound = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            int index = i;
            group.spawnOn(i, () -> {
                if (index < 2) {
                    group.onStop(grace -> {
                        throw new IllegalStateException("stop action of hub " + index + " failed");
                    });
                }
                Fiber.spawn(() -> {
                    try {
                        new Event().await();
                    } finally {
                        unwound.incrementAndGet();
                    }
                });
                return null;
            }).get(10, TimeUnit.SECONDS);
        }
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> group.stop(Duration.ZERO));
        assertTrue(failed.getMessage().startsWith("hub " + group.name() + "-0 of group " + group.name() + " failed"),
                failed.getMessage());
        assertEquals("stop action of hub 0 failed", failed.getCause().getMessage());
        assertEquals(1, failed.getSuppressed().length);
        assertEquals("stop action of hub 1 failed", failed.getSuppressed()[0].getMessage());
        assertEquals(3, unwound.get(), "every hub unwound its fibers, the failing ones too");
    }

    @Test
    void aHubOfTheGroupCannotStopIt() throws Exception {
        try (HubGroup group = HubGroup.start(2)) {
            String refused = group.spawnOn(1, () -> {
                try {
                    group.stop(Duration.ZERO);
                    return "stopped";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            }).get(10, TimeUnit.SECONDS);
            assertTrue(refused.startsWith("HubGroup.stop was called on " + group.name() + "-1, a hub of the group itself"),
                    refused);
        }
    }

    @Test
    void runReturnsTheMainFibersResultAndEndsTheGroup() throws Exception {
        List<Thread> threads = new ArrayList<>();
        String result = HubGroup.run(null, 2, () -> {
            HubGroup group = HubGroup.current();
            for (Hub h : group.hubs()) {
                threads.add(h.thread());
            }
            String other = Futures.await(group.spawnOn(1, () -> Thread.currentThread().getName()));
            return Thread.currentThread().getName() + " and " + other;
        });
        assertEquals(threads.get(0).getName() + " and " + threads.get(1).getName(), result);
        for (Thread t : threads) {
            assertFalse(t.isAlive());
        }
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> HubGroup.run(null, 1, () -> {
                    throw new IllegalArgumentException("from main");
                }));
        assertEquals("from main", thrown.getMessage());
    }

    @Test
    void dumpAllShowsEveryHubOfTheGroup() throws Exception {
        try (HubGroup group = HubGroup.start(2)) {
            String dump = Hub.dumpAll();
            for (Hub h : group.hubs()) {
                assertTrue(dump.contains("'" + h.thread().getName() + "'"), dump);
            }
        }
    }

    @Test
    void theSizeComesFromWeftHubs() {
        String before = System.getProperty(HubGroup.HUBS_PROPERTY);
        try {
            System.setProperty(HubGroup.HUBS_PROPERTY, "3");
            assertEquals(3, HubGroup.defaultSize());
            System.setProperty(HubGroup.HUBS_PROPERTY, "zero");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, HubGroup::defaultSize);
            assertEquals("-Dweft.hubs=zero: the number of hubs must be a whole number of at least 1", bad.getMessage());
            System.clearProperty(HubGroup.HUBS_PROPERTY);
            assertEquals(Runtime.getRuntime().availableProcessors(), HubGroup.defaultSize());
        } finally {
            if (before == null) {
                System.clearProperty(HubGroup.HUBS_PROPERTY);
            } else {
                System.setProperty(HubGroup.HUBS_PROPERTY, before);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> HubGroup.start(0));
        assertNotEquals(null, HubGroup.HUBS_PROPERTY);
    }
}
