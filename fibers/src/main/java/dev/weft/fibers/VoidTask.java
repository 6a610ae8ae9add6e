package dev.weft.fibers;

/**
 * Fiber code without a result, which may throw checked exceptions (blocking socket calls throw
 * {@link java.io.IOException}): what {@link Hub#run(VoidTask)}, {@link Fiber#spawn(VoidTask)} and
 * {@link Pool#spawn(VoidTask)} take for a block lambda with no {@code return}. Code with a result
 * is a {@link java.util.concurrent.Callable}.
 */
@FunctionalInterface
public interface VoidTask {
    void run() throws Exception;
}
