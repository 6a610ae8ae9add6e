package dev.weft.fibers;

/**
 * A function run in a fiber by {@link Group#map}, {@link Group#imap} and friends; unlike
 * {@link java.util.function.Function} it may throw checked exceptions (socket code does), which
 * reach the consumer wrapped in {@link java.util.concurrent.CompletionException}.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface FiberFunction<T, R> {
    R apply(T item) throws Exception;
}
