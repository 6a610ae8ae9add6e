package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One socket call carried out on the hub that owns the socket, for a caller on another thread: a fiber
 * of another hub parks meanwhile, a thread that runs no hub blocks (not interruptibly, as a JDK socket
 * on a platform thread). The call runs in a fiber of the owner hub ({@link Hub#submit}).
 *
 * <p>A caller fiber that stops waiting (killed, or its {@link dev.weft.fibers.Timeout} expired) cancels
 * the call, which kills the owner's fiber; nothing it produced is lost: a result that was ready anyway
 * goes to {@code lateResult} (a read's bytes go back to the socket for the next read).
 *
 * <p>Thread rule: any thread except the owner's (which calls directly) and a hub thread outside any
 * fiber ({@link NotInFiberException}: waiting there would block that hub).
 */
final class OwnerHubCall<T> {
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int ABANDONED = 2;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final Consumer<T> lateResult;

    private OwnerHubCall(Consumer<T> lateResult) {
        this.lateResult = lateResult;
    }

    /**
     * Runs {@code op} on {@code owner} and returns its result, or throws what it threw.
     *
     * @param what       the call, for messages ("FiberSocket.read")
     * @param lateResult takes a result that was produced although the caller stopped waiting; any thread
     * @throws SocketException     if the owner hub has ended (the socket was closed with it)
     * @throws NotInFiberException on a hub thread outside any fiber
     */
    static <T> T call(Hub owner, String what, Callable<T> op, Consumer<T> lateResult) throws IOException {
        return new OwnerHubCall<>(lateResult).run(owner, what, op);
    }

    private T run(Hub owner, String what, Callable<T> op) throws IOException {
        boolean inFiber = Fiber.inFiber();
        if (!inFiber) {
            refuseOnAHubThread(what);
        }
        CompletableFuture<T> result;
        try {
            result = owner.submit(() -> {
                T v = op.call();
                if (!state.compareAndSet(PENDING, DONE)) {
                    lateResult.accept(v);
                }
                return v;
            });
        } catch (RejectedExecutionException hubEnded) {
            throw ended(owner, what);
        }
        try {
            return inFiber ? awaitInFiber(result) : awaitOnThread(result);
        } catch (CancellationException killedWithItsHub) {
            throw ended(owner, what);
        }
    }

    private T awaitInFiber(CompletableFuture<T> result) throws IOException {
        try {
            return Futures.await(result);
        } catch (Throwable e) {
            if (e instanceof dev.weft.fibers.FiberKilledError || e instanceof dev.weft.fibers.FiberTimeoutException) {
                if (state.compareAndSet(PENDING, ABANDONED)) {
                    result.cancel(false); // kills the owner's fiber; a result it still makes goes to lateResult
                } else {
                    result.thenAccept(lateResult); // it was ready as the caller stopped waiting: give it back
                }
            }
            throw rethrowable(e);
        }
    }

    private static IOException rethrowable(Throwable e) {
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IOException(e);
    }

    private T awaitOnThread(CompletableFuture<T> result) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true; // a JDK socket on a platform thread ignores interrupts too
                } catch (ExecutionException e) {
                    throw rethrowable(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void refuseOnAHubThread(String what) {
        Hub here;
        try {
            here = Hub.current();
        } catch (NotInFiberException noHub) {
            return; // a plain thread may block
        }
        throw new NotInFiberException(what + " was called on the hub thread '" + here.thread().getName()
                + "' outside any fiber (a timer, a callback); waiting there would block every fiber of that hub."
                + " Spawn a fiber to use the socket.");
    }

    private static SocketException ended(Hub owner, String what) {
        return new SocketException("Socket closed: " + what + " cannot run, the hub that owned the socket (thread '"
                + owner.thread().getName() + "') has ended and closed it");
    }
}
