package dev.weft.examples;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.fibers.QueueClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed program 2: producer/consumer. The article did it with generators ({@code send}/{@code
 * yield}); with fibers the producer and the consumers are plain loops over a bounded {@link Queue}:
 * the producer blocks while the queue is full, consumers block while it is empty, and closing the
 * queue ends the consumers once it is drained.
 *
 * <pre>./weft example producer-consumer</pre>
 */
public final class ProducerConsumer {
    private ProducerConsumer() {
    }

    /** Produces {@code items} items for {@code consumers} consumers; returns the log of who did what. */
    static List<String> run(int items, int consumers, int capacity) {
        List<String> log = new ArrayList<>();
        Queue<Integer> queue = new Queue<>(capacity);
        Fiber<Void> producer = Fiber.spawn("producer", () -> {
            for (int i = 1; i <= items; i++) {
                queue.put(i);
                log.add("produced " + i);
            }
            queue.close();
        });
        List<Fiber<Integer>> workers = new ArrayList<>();
        for (int c = 1; c <= consumers; c++) {
            String name = "consumer-" + c;
            workers.add(Fiber.spawn(name, () -> {
                int consumed = 0;
                try {
                    while (true) {
                        int item = queue.get();
                        log.add(name + " consumed " + item);
                        consumed++;
                        Fiber.sleep(Duration.ofMillis(1)); // the work
                    }
                } catch (QueueClosedException drained) {
                    return consumed;
                }
            }));
        }
        producer.join();
        int total = 0;
        for (Fiber<Integer> w : workers) {
            total += w.get();
        }
        log.add("total consumed " + total);
        return log;
    }

    public static void main(String[] args) throws Exception {
        ExampleOptions options = Examples.options("producer-consumer", "", args, -1, java.util.Set.of(), false);
        Examples.runHub(options, () -> run(10, 2, 3).forEach(System.out::println));
    }
}
