package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

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
}
