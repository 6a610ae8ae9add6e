package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Running programs: input, output and errors apart, a status, a timeout that kills; a child JVM's command. */
@EnabledOnOs({OS.LINUX, OS.MAC})
@org.junit.jupiter.api.Timeout(60)
class ProcessesTest {

    @Test
    void inputGoesInOutputAndErrorsComeBackApartWithTheStatus() throws Exception {
        Processes.Result r = Processes.run(List.of("sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"),
                "hello".getBytes(StandardCharsets.UTF_8), 30);
        assertEquals(3, r.exit());
        assertEquals("HELLO", r.out());
        assertEquals("oops\n", r.stderr());
    }

    @Test
    void aProgramThatOutlivesItsTimeoutIsKilledAndTheExceptionSaysWhatItPrinted() {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> Processes.run(List.of("sh", "-c", "echo started; exec sleep 60"), 1));
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took >= 1_000 && took < 20_000, took + " ms");
        assertTrue(e.getMessage().startsWith("sh -c echo started; exec sleep 60 did not end within 1 s (killed); it said: started"),
                e.getMessage());
    }

    @Test
    void aChildJvmRunsAMainClassOfTheClassPathWithWeftsFlagsOrWithout() throws Exception {
        Processes.Result with = ChildJvm.of(PrintsItsArguments.class, "a", "b").jvmOptions("-Dweft.sample=1").run(60);
        assertEquals(0, with.exit(), with::toString);
        assertEquals("a b sample=1 exports=true\n", with.out());
        Processes.Result without = ChildJvm.of(PrintsItsArguments.class).withoutWeftFlags().run(60);
        assertEquals(" sample=null exports=false\n", without.out(), without::toString);
    }

    /** The child JVM's program: its arguments, a property, whether jdk.internal.vm is exported to it. */
    static final class PrintsItsArguments {
        public static void main(String[] args) {
            boolean exported = Object.class.getModule().isExported("jdk.internal.vm", PrintsItsArguments.class.getModule());
            System.out.println(String.join(" ", args) + " sample=" + System.getProperty("weft.sample") + " exports=" + exported);
        }
    }
}
