package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.HubGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How a server on a group ({@link StreamServerGroup}, {@link DatagramServerGroup}) asks each of its
 * per-hub servers something on that server's own hub and waits for the answers: in a fiber it parks
 * the fiber, on a plain thread it blocks it (at most {@value #ANSWER_SECONDS} s per answer).
 *
 * <p>Thread rule: any thread.
 */
final class GroupCalls {
    static final long ANSWER_SECONDS = 30;

    private GroupCalls() {
    }

    /** Runs {@code task} on hub {@code i} of {@code group} and returns its value (its exception, unwrapped). */
    static <T> T callOn(HubGroup group, int i, Callable<T> task) throws IOException {
        return await(group.spawnOn(i, task));
    }

    /**
     * Asks {@code query} of every server, each on its hub (server {@code k} on hub {@code hubOf(k)}),
     * all at once; the answers in server order.
     */
    static <S, T> List<T> ask(HubGroup group, List<S> servers, Function<S, Integer> hubOf, Function<S, T> query) {
        List<CompletableFuture<T>> answers = new ArrayList<>();
        for (S s : servers) {
            answers.add(group.spawnOn(hubOf.apply(s), () -> query.apply(s)));
        }
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> a : answers) {
            out.add(awaitUnchecked(a));
        }
        return out;
    }

    /** The future's value: in a fiber it parks the fiber, elsewhere it blocks the thread. */
    static <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            if (Fiber.inFiber()) {
                return Futures.await(f);
            }
            return f.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a hub did not answer within " + ANSWER_SECONDS + " s: " + e, e);
        }
    }

    /** {@link #await} with an {@link IOException} wrapped in an {@link UncheckedIOException}. */
    static <T> T awaitUnchecked(CompletableFuture<T> f) {
        try {
            return await(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "Address already in use: HOST:PORT (WHY)", caused by {@code cause}: a group's probe bind failed. */
    static java.net.BindException inUse(String host, int port, String why, IOException cause) {
        java.net.BindException e = new java.net.BindException("Address already in use: " + (host == null ? "*" : host)
                + ":" + port + " (" + why + ")");
        e.initCause(cause);
        return e;
    }

    /** The busiest hub's count over the mean, as the dumps print it ("busiest hub 1.06 x the mean"), or {@code whenNone}. */
    static String spread(List<Long> perHub, String whenNone) {
        long total = perHub.stream().mapToLong(Long::longValue).sum();
        long max = perHub.stream().mapToLong(Long::longValue).max().orElse(0);
        return total == 0 ? whenNone
                : String.format(java.util.Locale.ROOT, "busiest hub %.2f x the mean", max * (double) perHub.size() / total);
    }
}
