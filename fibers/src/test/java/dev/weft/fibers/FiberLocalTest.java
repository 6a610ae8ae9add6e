package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class FiberLocalTest {

    @Test
    void eachFiberSeesOnlyItsOwnValue() throws Exception {
        String r = Hub.run(() -> {
            FiberLocal<String> user = new FiberLocal<>();
            Fiber<String> a = Fiber.spawn(() -> {
                user.set("alice");
                Fiber.yield();
                return user.get();
            });
            Fiber<String> b = Fiber.spawn(() -> {
                user.set("bob");
                Fiber.yield();
                return user.get();
            });
            return a.get() + " " + b.get() + " " + user.get();
        });
        assertEquals("alice bob null", r);
    }

    @Test
    void theInitialValueIsComputedPerFiberAndAgainAfterRemove() throws Exception {
        String r = Hub.run(() -> {
            int[] calls = {0};
            FiberLocal<Integer> n = FiberLocal.withInitial(() -> ++calls[0]);
            int mine = n.get();
            int other = Fiber.spawn(n::get).get();
            n.remove();
            return mine + " " + other + " " + n.get();
        });
        assertEquals("1 2 3", r);
    }

    @Test
    void aThreadLocalIsSharedByEveryFiberOfTheHub() throws Exception {
        String r = Hub.run(() -> {
            ThreadLocal<String> shared = new ThreadLocal<>();
            Fiber<String> a = Fiber.spawn(() -> {
                shared.set("alice");
                Fiber.yield();
                return shared.get();
            });
            Fiber.spawn(() -> shared.set("bob"));
            return a.get();
        });
        assertEquals("bob", r, "a ThreadLocal is per thread, and all fibers of a hub share its thread");
    }

    @Test
    void outsideAFiberItSaysSo() {
        FiberLocal<String> l = new FiberLocal<>();
        assertThrows(NotInFiberException.class, l::get);
    }

    /**
     * Issue 23, item 27: a fiber's storage depends on the fiber-locals it set, not on how many exist
     * (each fiber-local took a global index given back only after a collection: after a million, a
     * fiber that set one late fiber-local had a 7.9 MB array). No collection is asked for here.
     */
    @Test
    void aFibersStorageGrowsWithTheFiberLocalsItSetNotWithHowManyExist() throws Exception {
        Hub.run(() -> {
            List<FiberLocal<Integer>> many = new ArrayList<>();
            for (int i = 0; i < 1_000_000; i++) {
                many.add(new FiberLocal<>()); // alive: no collector can give anything back
            }
            FiberLocal<Integer> late = many.get(many.size() - 1);
            Fiber<Integer> other = Fiber.spawn(() -> {
                late.set(7);
                FiberLocal<String> fresh = new FiberLocal<>();
                fresh.set("x");
                assertEquals(16, FiberLocal.capacity(Fiber.current()), "a fiber that set two fiber-locals");
                return late.get();
            });
            assertEquals(7, other.get());
            assertEquals(0, FiberLocal.capacity(Fiber.current()), "the main fiber set none");
            for (int i = 0; i < 1_000; i++) {
                many.get(i).set(i);
            }
            for (int i = 0; i < 1_000; i++) {
                assertEquals(i, many.get(i).get());
            }
            assertTrue(FiberLocal.capacity(Fiber.current()) <= 2_048, "1,000 set: " + FiberLocal.capacity(Fiber.current()));
            many.get(5).remove();
            assertEquals(null, many.get(5).get());
            assertEquals(6, many.get(6).get());
        });
    }
}
