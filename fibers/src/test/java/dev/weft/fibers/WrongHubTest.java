package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.hub.WrongThreadException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, item 3: every single-hub primitive used from a fiber of another hub of the group fails
 * with a {@link WrongThreadException} that names both hubs, having changed nothing.
 */
@org.junit.jupiter.api.Timeout(60)
class WrongHubTest {

    /** The objects of hub 0 that a fiber of hub 1 touches. */
    private record Hub0Objects(Queue<String> queue, Channel<String> channel, LifoQueue<String> lifo,
            PriorityQueue<String> priority, JoinableQueue<String> joinable, Semaphore semaphore, Lock lock,
            Event event, AsyncResult<String> result, Group group, Pool pool, Fiber<Void> fiber) {
    }

    @FunctionalInterface
    private interface Use {
        void on(Hub0Objects o) throws Exception;
    }

    @Test
    void everySingleHubPrimitiveRefusesAFiberOfAnotherHubNamingBoth() throws Exception {
        Map<String, Use> uses = new LinkedHashMap<>();
        uses.put("Queue.put", o -> o.queue().put("x"));
        uses.put("Queue.offer", o -> o.queue().offer("x"));
        uses.put("Queue.get", o -> o.queue().get());
        uses.put("Queue.poll", o -> o.queue().poll());
        uses.put("Queue.poll(timeout)", o -> o.queue().poll(Duration.ofMillis(1)));
        uses.put("Queue.peek", o -> o.queue().peek());
        uses.put("Queue.close", o -> o.queue().close());
        uses.put("Channel.put", o -> o.channel().put("x"));
        uses.put("Channel.get", o -> o.channel().get());
        uses.put("LifoQueue.put", o -> o.lifo().put("x"));
        uses.put("PriorityQueue.put", o -> o.priority().put("x"));
        uses.put("JoinableQueue.put", o -> o.joinable().put("x"));
        uses.put("JoinableQueue.taskDone", o -> o.joinable().taskDone());
        uses.put("JoinableQueue.join", o -> o.joinable().join());
        uses.put("Semaphore.acquire", o -> o.semaphore().acquire());
        uses.put("Semaphore.tryAcquire", o -> o.semaphore().tryAcquire());
        uses.put("Semaphore.release", o -> o.semaphore().release());
        uses.put("Lock.lock", o -> o.lock().lock());
        uses.put("Lock.tryLock", o -> o.lock().tryLock(Duration.ofMillis(1)));
        uses.put("Lock.unlock", o -> o.lock().unlock());
        uses.put("Event.await", o -> o.event().await());
        uses.put("Event.clear", o -> o.event().clear());
        uses.put("AsyncResult.get", o -> o.result().get());
        uses.put("Group.spawn", o -> o.group().spawn(() -> { }));
        uses.put("Group.join", o -> o.group().join());
        uses.put("Group.kill", o -> o.group().kill());
        uses.put("Pool.spawn", o -> o.pool().spawn(() -> { }));
        uses.put("Fiber.join", o -> o.fiber().join());
        uses.put("Fiber.get", o -> o.fiber().get());
        uses.put("Fiber.kill", o -> o.fiber().kill());
        uses.put("Fiber.onExit", o -> o.fiber().onExit(f -> { }));

        try (HubGroup group = HubGroup.start(2)) {
            Hub0Objects objects = group.spawnOn(0, () -> {
                Semaphore s = new Semaphore(1);
                Lock l = new Lock();
                l.lock(); // held by this fiber of hub 0, so an unlock from elsewhere would have something to undo
                Fiber<Void> sleeper = Fiber.spawn(() -> new Event().await());
                return new Hub0Objects(new Queue<>(1), new Channel<>(), new LifoQueue<>(), PriorityQueue.natural(),
                        new JoinableQueue<>(), s, l, new Event(), new AsyncResult<>(), new Group(), new Pool(2), sleeper);
            }).get(10, TimeUnit.SECONDS);
            String owner = group.hubs().get(0).thread().getName();
            String caller = group.hubs().get(1).thread().getName();
            List<String> wrong = group.spawnOn(1, () -> {
                List<String> notRefused = new ArrayList<>();
                for (Map.Entry<String, Use> use : uses.entrySet()) {
                    try {
                        use.getValue().on(objects);
                        notRefused.add(use.getKey() + ": not refused");
                    } catch (WrongThreadException refused) {
                        String m = refused.getMessage();
                        if (!m.contains("belongs to the hub thread '" + owner + "' but was used from a fiber of another hub,"
                                + " on thread '" + caller + "'")) {
                            notRefused.add(use.getKey() + ": " + m);
                        }
                    } catch (Throwable other) {
                        notRefused.add(use.getKey() + ": " + other);
                    }
                }
                return notRefused;
            }).get(20, TimeUnit.SECONDS);
            assertEquals(List.of(), wrong);
            String untouched = group.spawnOn(0, () -> objects.queue().size() + " queued, " + objects.semaphore().available()
                    + " permit, fiber " + objects.fiber().state() + ", group " + objects.group().size()).get(10, TimeUnit.SECONDS);
            assertEquals("0 queued, 1 permit, fiber WAITING, group 0", untouched);
        }
    }
}
