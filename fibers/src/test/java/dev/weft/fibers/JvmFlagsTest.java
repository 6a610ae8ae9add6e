package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Processes;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class JvmFlagsTest {

    /** Run in a JVM started without the flag. */
    public static final class WithoutFlag {
        public static void main(String[] args) throws Exception {
            try {
                Hub.run(() -> 1);
                System.out.println("ran without the flag?");
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void aJvmWithoutTheExportsFlagGetsAMessageNamingIt() throws Exception {
        String out = runWithoutTheFlag(WithoutFlag.class);
        assertTrue(out.contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), out);
    }

    /** Run in a JVM started without the flag: the other entry points, one line each. */
    public static final class OtherEntryPointsWithoutFlag {
        public static void main(String[] args) {
            System.out.println("inFiber: " + Fiber.inFiber());
            report("Hub.current", Hub::current);
            report("Fiber.spawn", () -> Fiber.spawn(() -> 1));
            report("new Event", Event::new);
            report("new Queue", Queue::new);
            report("Timeout.after", () -> Timeout.after(java.time.Duration.ofSeconds(1)));
            report("new FiberLocal().get", () -> new FiberLocal<String>().get());
            report("Hub.open", () -> Hub.open(null));
            System.exit(3);
        }

        private static void report(String what, Runnable call) {
            try {
                call.run();
                System.out.println(what + ": no exception");
            } catch (Throwable t) {
                boolean names = t.getMessage() != null && t.getMessage().contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
                System.out.println(what + ": " + t.getClass().getSimpleName() + (names ? " naming the flag" : ": " + t));
            }
        }
    }

    /**
     * Issue 23, item 28: without the flag only Hub.run named it; Fiber.inFiber() and everything that
     * loaded Fiber died with a bare IllegalAccessError. Now inFiber() answers false, and every entry
     * point that needs a hub names the flag.
     */
    @Test
    void everyEntryPointNamesTheFlagAndInFiberAnswersFalse() throws Exception {
        assertEquals("""
                inFiber: false
                Hub.current: NotInFiberException naming the flag
                Fiber.spawn: NotInFiberException naming the flag
                new Event: NotInFiberException naming the flag
                new Queue: NotInFiberException naming the flag
                Timeout.after: NotInFiberException naming the flag
                new FiberLocal().get: NotInFiberException naming the flag
                Hub.open: IllegalStateException naming the flag
                """, runWithoutTheFlag(OtherEntryPointsWithoutFlag.class));
    }

    /** Runs {@code main} in a child JVM without the flag (it exits with 3); returns what it printed. */
    static String runWithoutTheFlag(Class<?> main) throws Exception {
        Processes.Result r = ChildJvm.of(main).withoutWeftFlags().run(50);
        assertEquals(3, r.exit(), r.toString());
        return r.out();
    }
}
