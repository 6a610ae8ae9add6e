package dev.weft.fibers;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Awaiting a {@link CompletionStage} or a {@link Future} from a fiber: the bridge to every
 * asynchronous client ({@code java.net.http.HttpClient.sendAsync}, Lettuce, R2DBC, the AWS SDK v2),
 * which complete on their own threads. Only the calling fiber parks; the completing thread wakes the
 * hub the way {@link AsyncResult#set} does, and the fiber resumes on the hub thread.
 *
 * <p>Each wait ends when one of these happens: the stage completes (normally, exceptionally or by
 * cancellation); the calling fiber is killed ({@link FiberKilledError}); an enclosing {@link Timeout}
 * expires ({@link FiberTimeoutException}). On a kill or timeout, {@code await} leaves the stage
 * running and {@code awaitOrCancel} cancels it ({@code cancel(true)}) before it throws.
 *
 * <p>Failures are rethrown unwrapped: the cause inside {@link CompletionException} or
 * {@link ExecutionException}, as is, checked exceptions included (hence {@code throws Exception},
 * as {@code ThreadPool.offload}); a cancelled stage throws {@link CancellationException}.
 *
 * <p>Thread rule: fibers only ({@link NotInFiberException} otherwise, also on the hub thread outside
 * a fiber). The stage may complete on any thread, the hub thread included, or may already be complete
 * (then the value is returned without switching, and the call counts against the fiber's
 * {@linkplain Hub#spendBudget() cooperative budget}). A fiber waiting here is never reported as
 * blocked forever: another thread may still complete the stage; use a {@link Timeout}.
 *
 * <p>Memory: the fibers of a hub that wait for one stage share one callback on it, so abandoned waits
 * (timed out, killed) leave nothing behind on the stage however many there are.
 *
 * <p>Memory consistency effects: actions of the thread that completes the stage happen-before the
 * fiber's return from {@code await}.
 */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits for {@code stage} and returns its value. Blocks the calling fiber until the stage
     * completes, the fiber is killed, or an enclosing {@link Timeout} expires; on the last two the
     * stage is left running (see {@link #awaitOrCancel}).
     *
     * @return the stage's value
     * @throws Exception             the stage's failure, unwrapped, as is
     * @throws CancellationException if the stage was cancelled
     * @throws FiberKilledError      if the calling fiber is killed
     * @throws FiberTimeoutException if an enclosing {@link Timeout} expires first
     * @throws NotInFiberException   outside a fiber
     */
    public static <T> T await(CompletionStage<T> stage) throws Exception {
        return awaitStage(stage, false);
    }

    /**
     * {@link #await(CompletionStage)}, and if the calling fiber stops waiting (killed, timed out) the
     * stage is cancelled with {@code toCompletableFuture().cancel(true)} before the exception is
     * thrown. (A stage whose {@code toCompletableFuture} is a copy, or unsupported, cannot be
     * cancelled this way; the JDK {@code HttpClient} aborts the exchange when its future is cancelled.)
     *
     * <p>A value is never orphaned: if the stage completed with a value just before the kill or the
     * {@link Timeout} (so that the cancel fails), that value is returned, and the kill or timeout is
     * thrown by the fiber's next blocking call instead (the kill stays pending anyway; the timeout is
     * expired again).
     */
    public static <T> T awaitOrCancel(CompletionStage<T> stage) throws Exception {
        return awaitStage(stage, true);
    }

    /**
     * Waits for {@code future} and returns its value, as {@link #await(CompletionStage)}. A future that
     * is also a {@code CompletionStage} is awaited through its callbacks; any other (a
     * {@code FutureTask}, an executor's future) is waited for by a virtual thread calling
     * {@code get()}, which is interrupted when the fiber stops waiting.
     */
    public static <T> T awaitFuture(Future<T> future) throws Exception {
        return awaitAnyFuture(future, false);
    }

    /** {@link #awaitFuture}, cancelling the future ({@code cancel(true)}) if the fiber stops waiting. */
    public static <T> T awaitFutureOrCancel(Future<T> future) throws Exception {
        return awaitAnyFuture(future, true);
    }

    // ---------------------------------------------------------------- implementation

    private static <T> T awaitStage(CompletionStage<T> stage, boolean cancel) throws Exception {
        Objects.requireNonNull(stage, "stage");
        FiberCore me = Hub.currentFiber("Futures.await");
        CompletableFuture<T> future = asFuture(stage);
        if (future != null && future.isDone()) {
            me.hub.spendBudget();
            return valueOf(future);
        }
        // One callback per stage and hub, however many waits (and abandoned waits) it has.
        StageWaits waits = me.hub.stageWaits();
        AsyncResult<T> result = waits.resultOf(stage, Futures::unwrap);
        try {
            return waitFor(me, result, cancel ? future : null, null);
        } finally {
            if (result.isDone()) {
                waits.taken(stage);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T awaitAnyFuture(Future<T> future, boolean cancel) throws Exception {
        Objects.requireNonNull(future, "future");
        if (future instanceof CompletionStage<?> stage) {
            return awaitStage((CompletionStage<T>) stage, cancel);
        }
        FiberCore me = Hub.currentFiber("Futures.awaitFuture");
        if (future.isDone()) {
            me.hub.spendBudget();
            return valueOf(future);
        }
        AsyncResult<T> result = new AsyncResult<>();
        Thread getter = Thread.ofVirtual().name("weft-await " + me).start(() -> {
            try {
                result.set(future.get());
            } catch (InterruptedException abandoned) {
                // the fiber stopped waiting: nobody wants the outcome
            } catch (Throwable t) {
                result.setException(unwrap(t));
            }
        });
        return waitFor(me, result, cancel ? future : null, getter);
    }

    /**
     * Parks until {@code result} is in. If the fiber stops waiting first (killed, timed out), it
     * stops {@code getter} and cancels {@code cancelIt}; if that cancel fails because the future has
     * just completed with a value (the completion and the kill or Timeout came in the same loop
     * iteration), the value is returned rather than handed to nobody, and the kill or timeout stays
     * pending for the fiber's next blocking call.
     */
    private static <T> T waitFor(FiberCore me, AsyncResult<T> result, Future<T> cancelIt, Thread getter)
            throws Exception {
        try {
            result.await(null);
        } catch (Throwable abandoned) {
            if (getter != null) {
                getter.interrupt();
            }
            if (cancelIt != null && !cancelIt.cancel(true) && cancelIt.state() == Future.State.SUCCESS
                    && isInterruption(abandoned)) {
                me.interruptAgain(abandoned); // thrown by the next blocking call instead
                return cancelIt.resultNow();
            }
            throw abandoned;
        }
        Throwable failure = result.exception();
        if (failure != null) {
            throw rethrowable(failure);
        }
        return result.get(); // done: does not park
    }

    /** A kill or a Timeout (what a wait can be abandoned for), not a failure of the switch itself. */
    private static boolean isInterruption(Throwable t) {
        return !(t instanceof FiberPinnedException) && !(t instanceof VirtualMachineError);
    }

    private static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notOffered) {
            return null;
        }
    }

    /** The value of a future that is done, or its failure unwrapped. */
    private static <T> T valueOf(Future<T> done) throws Exception {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw rethrowable(unwrap(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen for a future that is done
            throw e;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return (Exception) t;
    }
}
