package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 3: {@link Hub#spendBudget()} acts on the caller's own fiber only. Called from a
 * fiber of hub B on hub A (what a socket of A used from B did), it must not spend, and at zero park,
 * hub A's running fiber from B's thread.
 */
@org.junit.jupiter.api.Timeout(60)
class SpendBudgetAcrossHubsTest {

    @Test
    void spendingAnotherHubsBudgetSpendsTheCallersOwn() throws Exception {
        CompletableFuture<Hub> hubA = new CompletableFuture<>();
        AtomicBoolean release = new AtomicBoolean();
        CompletableFuture<String> aSaw = new CompletableFuture<>();
        Thread threadA = Thread.ofPlatform().name("hub-A").start(() -> {
            try {
                aSaw.complete(Hub.run(() -> {
                    Fiber<?> me = Fiber.current();
                    hubA.complete(Hub.current());
                    while (!release.get()) {
                        Thread.onSpinWait(); // running, so it is hub A's current fiber meanwhile
                    }
                    String seen = "budget " + me.core.budget + ", " + me.state();
                    Fiber.yield(); // the hub is still consistent: it switches and comes back
                    return seen;
                }));
            } catch (Throwable t) {
                aSaw.complete("hub A failed: " + t);
            }
        });
        String bSaw = Hub.run(() -> {
            Hub a = Futures.await(hubA);
            Fiber<?> me = Fiber.current();
            int yields = 0;
            try {
                for (int i = 0; i < 3 * Hub.BUDGET; i++) {
                    int before = me.core.budget;
                    a.spendBudget();
                    if (me.core.budget > before) {
                        yields++; // our own budget ran out: we yielded, and a switch refilled it
                    }
                }
            } finally {
                release.set(true);
            }
            return "yielded " + yields + " times";
        });
        assertEquals("budget " + Hub.BUDGET + ", RUNNING", aSaw.get(10, TimeUnit.SECONDS));
        assertEquals("yielded 3 times", bSaw);
        threadA.join(10_000);
    }
}
