/**
 * Fibers and the primitives they block on: {@link dev.weft.fibers.Hub}, {@link dev.weft.fibers.Fiber},
 * {@link dev.weft.fibers.Timeout}, {@link dev.weft.fibers.Waiter}, {@link dev.weft.fibers.Event},
 * {@link dev.weft.fibers.AsyncResult}, {@link dev.weft.fibers.Queue}, {@link dev.weft.fibers.Semaphore},
 * {@link dev.weft.fibers.Lock}, {@link dev.weft.fibers.Pool}, {@link dev.weft.fibers.FiberLocal}.
 *
 * <h2>Durations</h2>
 * One rule for every {@link java.time.Duration} a Weft method takes (a timeout, a sleep, a grace
 * period), in this module and the ones built on it:
 * <ul>
 * <li>{@code null} means no limit: wait as long as it takes.</li>
 * <li>Zero or negative means do not wait: the call completes if it can without waiting, otherwise it
 *     times out at once (returns false or null, or throws its timeout exception, as the method says).
 *     It still passes through the hub once where it would have blocked, so a loop of such calls
 *     cannot starve the other fibers.</li>
 * <li>Any positive duration works, however long; one beyond what {@link System#nanoTime()} arithmetic
 *     holds (about 146 years or more) means no limit. Nothing throws {@link ArithmeticException}.</li>
 * </ul>
 * {@link dev.weft.fibers.Deadlines#after(java.time.Duration)} implements it.
 *
 * <h2>Blocking calls</h2>
 * Every blocking call parks the calling fiber at one park point and throws, instead of returning:
 * {@link dev.weft.fibers.FiberKilledError} if the fiber is killed, {@link dev.weft.fibers.FiberTimeoutException}
 * if an enclosing {@link dev.weft.fibers.Timeout} expires, {@link dev.weft.fibers.BlockedForeverException}
 * if nothing could ever wake it, {@link dev.weft.fibers.FiberPinnedException} if it cannot switch. A
 * blocking call that fails to switch for any other reason (a {@link StackOverflowError} or
 * {@link OutOfMemoryError} while the JVM saves the stack) throws that error to the fiber and leaves
 * the hub consistent.
 *
 * <h2>Stacks</h2>
 * A parked fiber's stack is saved on the heap (a JVM stack chunk), and a running fiber's frames are
 * copied back lazily, a few at a time. So recursion that parks at every level is bounded by the
 * heap, not by {@code -Xss}; recursion that does not park is bounded by the hub thread's stack
 * ({@code -Xss}, or the size given to the thread that runs the hub) like any other code.
 */
package dev.weft.fibers;
