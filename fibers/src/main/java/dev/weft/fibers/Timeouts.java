package dev.weft.fibers;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * gevent's other forms of a timeout, for a block of code run by the current fiber. Java's
 * try-with-resources cannot swallow or replace the exception its body throws, so where gevent
 * writes {@code with Timeout(5, False):} or {@code with Timeout(5, MyError):}, Weft takes the body
 * as a lambda:
 *
 * <pre>{@code
 * String page = Timeouts.withTimeout(Duration.ofSeconds(2), () -> fetch(url), "(too slow)");
 * boolean finished = Timeouts.silently(Duration.ofSeconds(5), () -> drain(queue));
 * Timeouts.raising(Duration.ofSeconds(1), () -> new ServiceDown("db"), () -> query());
 * }</pre>
 *
 * <p>Each opens a {@link Timeout} around the body and handles only <em>its own</em> expiry: an
 * enclosing Timeout that expires first propagates as usual, so nested forms stay correct. Its own
 * expiry is recognised also when a library wrapped it (pgjdbc's connect throws a {@code PSQLException}
 * caused by the {@link FiberTimeoutException}): see {@link FiberTimeoutException#is(Throwable, Timeout)}. A timeout
 * interrupts the body at a blocking call (a body that computes without blocking is not interrupted).
 * Thread rule: inside a fiber ({@link NotInFiberException} otherwise).
 */
public final class Timeouts {
    private Timeouts() {
    }

    /**
     * Runs {@code body} and returns its result, or {@code fallback} if {@code timeout} passes first
     * (gevent's {@code with_timeout(seconds, function, timeout_value=...)}).
     *
     * @throws Exception what the body throws, as is
     */
    public static <T> T withTimeout(Duration timeout, Callable<? extends T> body, T fallback) throws Exception {
        Objects.requireNonNull(body, "body");
        Timeout t = Timeout.after(timeout);
        try {
            return body.call();
        } catch (Exception e) {
            if (FiberTimeoutException.is(e, t)) {
                return fallback;
            }
            throw e;
        } finally {
            t.close();
        }
    }

    /**
     * Runs {@code body}; if {@code timeout} passes first the body ends quietly (gevent's
     * {@code with Timeout(seconds, False):}).
     *
     * @return true if the body finished, false if the timeout ended it
     * @throws Exception what the body throws, as is
     */
    public static boolean silently(Duration timeout, VoidTask body) throws Exception {
        Objects.requireNonNull(body, "body");
        return withTimeout(timeout, () -> {
            body.run();
            return Boolean.TRUE;
        }, Boolean.FALSE);
    }

    /**
     * Runs {@code body} and returns its result; if {@code timeout} passes first, throws the
     * exception {@code error} makes instead of {@link FiberTimeoutException} (gevent's
     * {@code Timeout(seconds, exception)}), with what the body threw (the timeout's exception, or a
     * library's exception that wraps it) as its cause (or, if it has a cause already, suppressed).
     *
     * @throws Exception what the body throws, as is
     */
    public static <T> T raising(Duration timeout, Supplier<? extends RuntimeException> error, Callable<? extends T> body)
            throws Exception {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(body, "body");
        Timeout t = Timeout.after(timeout);
        try {
            return body.call();
        } catch (Exception e) {
            if (!FiberTimeoutException.is(e, t)) {
                throw e;
            }
            RuntimeException replacement = Objects.requireNonNull(error.get(), "the error supplier returned null");
            if (replacement.getCause() == null) {
                replacement.initCause(e);
            } else {
                replacement.addSuppressed(e);
            }
            throw replacement;
        } finally {
            t.close();
        }
    }
}
