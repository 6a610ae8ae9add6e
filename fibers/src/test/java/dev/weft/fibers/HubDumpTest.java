package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(60)
class HubDumpTest {

    /** The dump's fiber lines only (no stack frames), with their indentation. */
    private static List<String> fiberLines(String dump) {
        List<String> lines = new ArrayList<>();
        for (String line : dump.split("\n")) {
            if (line.trim().startsWith("#")) {
                lines.add(line.replaceAll(" for \\d+ ms", ""));
            }
        }
        return lines;
    }

    @Test
    void theDumpIsATreeWithStatesWhatEachWaitsOnAndStacks() throws Exception {
        String dump = Hub.run(() -> {
            Queue<String> q = new Queue<>();
            Fiber<Void> consumer = Fiber.spawn("consumer", () -> {
                Fiber.spawn("grandchild", () -> Fiber.sleep(10_000));
                q.get();
            });
            Fiber<Void> unstarted = Fiber.create("unstarted", () -> { });
            Fiber.sleep(5);
            String text = Hub.current().dump();
            consumer.kill();
            unstarted.kill();
            return text;
        });
        assertEquals(List.of(
                "  #1 'main' RUNNING",
                "    #2 'consumer' WAITING on Queue(size 0, 1 getters and 0 putters waiting)",
                "      #4 'grandchild' WAITING on sleep",
                "    #3 'unstarted' NEW, waiting for start() (created, not started)"), fiberLines(dump), dump);
        assertTrue(dump.startsWith("Weft hub on thread '"), dump);
        assertTrue(dump.contains("4 live fibers, 4 spawned"), dump);
        assertTrue(dump.contains("at dev.weft.fibers.HubDumpTest.lambda$theDumpIsATreeWithStatesWhatEachWaitsOnAndStacks"),
                "each fiber's stack, down to the test's lambdas: " + dump);
        assertTrue(dump.contains("at dev.weft.fibers.Queue.get("), dump);
    }

    @Test
    void aChildWhoseParentEndedIsShownAtTheTopWithItsParentNamed() throws Exception {
        String dump = Hub.run(() -> {
            Fiber<Fiber<Void>> parent = Fiber.spawn("parent", () -> Fiber.spawn("orphan", () -> Fiber.sleep(10_000)));
            Fiber<Void> orphan = parent.get();
            Fiber.yield();
            String text = Hub.current().dump();
            orphan.kill();
            return text;
        });
        assertTrue(fiberLines(dump).contains("  #3 'orphan' WAITING (spawned by #2 'parent', ended) on sleep"), dump);
    }

    @Test
    void dumpAllAsksEachHubOnItsThreadAndDescribesABlockedHubByItsThreadStack() throws Exception {
        CompletableFuture<String> whileIdle = new CompletableFuture<>();
        CompletableFuture<String> whileBlocked = new CompletableFuture<>();
        String me = Thread.currentThread().getName();
        try (LogCapture log = LogCapture.watchdog()) {
            Hub.run(() -> {
                Fiber.spawn("idle-waiter", () -> Fiber.sleep(10_000));
                Fiber.yield(); // it starts and waits before anyone asks (a task may run in the same iteration)
                Thread asker = new Thread(() -> whileIdle.complete(Hub.dumpAll()));
                asker.start();
                AsyncResult<String> done = new AsyncResult<>();
                Thread relay = new Thread(() -> done.set(whileIdle.join()));
                relay.start();
                done.get(Duration.ofSeconds(10));
                Thread second = new Thread(() -> whileBlocked.complete(Hub.dumpAll()));
                second.start();
                second.join(); // blocks the hub thread on purpose until the dump is done: it cannot run here
                asker.join();
                relay.join();
            });
        }
        String all = whileIdle.get(10, TimeUnit.SECONDS);
        assertTrue(all.startsWith("Weft fiber dump: "), all);
        String idle = section(all, me);
        assertTrue(idle.contains("'idle-waiter' WAITING on sleep"), idle);
        // other tests of this JVM may have left hubs behind (one blocked for good): look at ours only
        String blocked = section(whileBlocked.get(10, TimeUnit.SECONDS), me);
        assertTrue(blocked.contains("did not answer within 1 s; its thread is WAITING"), blocked);
        assertTrue(blocked.contains("at java.base/java.lang.Thread.join"), blocked);
    }

    /**
     * Issue 23, item 13: Hub.dumpAll() in a fiber blocked its hub thread up to 1 s per other hub, so two
     * hubs dumping at once stalled each other and each described the other as not answering. Now the
     * fiber parks: each hub answers the other's request, and its own fibers run on meanwhile.
     */
    @Test
    void twoHubsDumpingAtOnceAnswerEachOtherAndKeepRunning() throws Exception {
        java.util.concurrent.CountDownLatch bothReady = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.atomic.AtomicInteger dumped = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> bothDumped = new CompletableFuture<>();
        java.util.function.Function<String, CompletableFuture<String>> dumper = name -> {
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread.ofPlatform().name(name).start(() -> {
                try {
                    result.complete(Hub.run(() -> {
                        int[] ticks = {0};
                        Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                            while (true) {
                                Fiber.sleep(1);
                                ticks[0]++;
                            }
                        });
                        bothReady.countDown();
                        bothReady.await(10, TimeUnit.SECONDS); // (blocks this hub briefly, before the dump)
                        long t0 = System.nanoTime();
                        String dump = Hub.dumpAll();
                        long tookMs = (System.nanoTime() - t0) / 1_000_000;
                        if (dumped.incrementAndGet() == 2) {
                            bothDumped.complete(null);
                        }
                        Futures.await(bothDumped); // stay (and answer) until the other hub has its dump too
                        ticker.kill();
                        return dump + "\n@@ took " + tookMs + " ms, ticks " + ticks[0];
                    }));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return result;
        };
        CompletableFuture<String> a = dumper.apply("dumping-hub-A");
        CompletableFuture<String> b = dumper.apply("dumping-hub-B");
        for (CompletableFuture<String> f : List.of(a, b)) {
            String all = f.get(20, TimeUnit.SECONDS);
            for (String hub : List.of("dumping-hub-A", "dumping-hub-B")) {
                String section = section(all, hub);
                assertFalse(section.contains("did not answer"), all);
                assertTrue(section.contains("'ticker'"), all);
            }
        }
    }

    /** The part of a JVM-wide dump about the hub on thread {@code thread}. */
    private static String section(String dumpAll, String thread) {
        String start = "Weft hub on thread '" + thread + "'";
        int from = dumpAll.indexOf(start);
        assertTrue(from >= 0, "no section for " + thread + " in " + dumpAll);
        int to = dumpAll.indexOf("Weft hub on thread '", from + start.length());
        return dumpAll.substring(from, to < 0 ? dumpAll.length() : to);
    }

    /** The child JVM of {@link #aSignalWritesTheDumpOfEveryHubToTheNamedFile}. */
    public static final class SignalTarget {
        public static void main(String[] args) throws Exception {
            Hub.run(() -> {
                Fiber.spawn("waiting-for-a-signal", () -> Fiber.sleep(60_000));
                System.out.println("READY");
                System.out.flush();
                Fiber.sleep(60_000);
            });
        }
    }

    @Test
    void aSignalWritesTheDumpOfEveryHubToTheNamedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dump.txt");
        List<String> cmd = ChildJvm.of(SignalTarget.class).jvmOptions("-Dweft.dump.signal=USR2", "-Dweft.dump.file=" + file,
                "-Dweft.dump.waits=true").command();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String line;
            StringBuilder before = new StringBuilder();
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                before.append(line).append('\n'); // the backend choice is logged first (INFO, on stderr)
            }
            assertEquals("READY", line, "the child JVM ended before READY: " + before);
            Thread.sleep(50);
            Process kill = new ProcessBuilder("kill", "-USR2", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String text = "";
            while (System.nanoTime() < deadline && !text.contains("waiting-for-a-signal")) {
                Thread.sleep(50);
                text = Files.exists(file) ? Files.readString(file) : "";
            }
            assertTrue(text.startsWith("Weft fiber dump: 1 hubs"), text);
            Matcher m = Pattern.compile("'waiting-for-a-signal' WAITING on sleep for (\\d+) ms").matcher(text);
            assertTrue(m.find(), text);
            assertTrue(Long.parseLong(m.group(1)) >= 50, "it has waited since before READY: " + text);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
