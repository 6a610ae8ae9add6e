package dev.weft.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test that runs as a fiber, once on each backend: on a hub of its own for every backend that
 * can run on this machine ({@code [epoll]}, {@code [nio]} in the report), so plain blocking-style test
 * code ({@code socket.read}, {@code queue.get()}, {@code Fiber.sleep}) tests Weft code the way it runs.
 *
 * <pre>
 * &#64;FiberTest
 * void echoes(Hub hub) throws Exception {      // the Hub parameter is optional
 *     StreamServer server = StreamServer.builder(...).bind("127.0.0.1", 0).start();
 *     try (TcpSocket client = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
 *         ...                                  // blocking calls park this fiber
 *     }
 * }
 * </pre>
 *
 * <ul>
 * <li><b>Hub.</b> Each run opens a hub of its backend on a new thread, runs the {@code @BeforeEach}
 *     methods, the test and the {@code @AfterEach} methods on it, each as a fiber of its own (fibers one
 *     spawns stay alive, parked, for the next), then closes it: fibers still alive are killed and
 *     unwound. A {@link dev.weft.fibers.Hub} parameter of any of them is that hub.</li>
 * <li><b>Backends.</b> The system property {@code weft.test.backends}: {@code all} (the default) is
 *     every backend on the class path that can run here, or only the one {@code -Dweft.hub} names when
 *     it is set; {@code default} is the one a hub gets by default; a list ({@code epoll,nio}) is those
 *     (one that cannot run here fails the test, naming why).</li>
 * <li><b>Failures</b> name the backend and the hub thread (a suppressed note on the exception). The
 *     test also fails when the hub watchdog reports its hub blocked (a call that blocked the thread:
 *     {@code Thread.sleep}, a JDBC driver on a plain socket), with the report, and when a fiber it
 *     spawned failed and nobody joined or got it, with that failure. The watchdog's reports are taken
 *     from {@code java.util.logging}, where {@link System.Logger} goes unless routed elsewhere.</li>
 * <li><b>Timeout.</b> Each of those methods must end within {@link #timeout()}; one that does not is
 *     killed, and the failure holds the hub's dump at that moment ({@link dev.weft.fibers.Hub#dump()}:
 *     every fiber, what it waits on, its stack), or the hub thread's stack if a call blocks it. JUnit's
 *     own {@code @Timeout} and {@code junit.jupiter.execution.timeout.default} still apply around it:
 *     keep them longer, or theirs ends the test first, without the dump.</li>
 * </ul>
 *
 * Needs the JVM flag {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} in the test JVM
 * (Surefire's {@code argLine}), as every hub does; without it the test fails naming the flag.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(FiberTestExtension.class)
public @interface FiberTest {
    /** How long each method may run before it is killed and the test fails with the hub's dump ({@link #unit()}s). */
    long timeout() default 30;

    /** The unit of {@link #timeout()}. */
    TimeUnit unit() default TimeUnit.SECONDS;
}
