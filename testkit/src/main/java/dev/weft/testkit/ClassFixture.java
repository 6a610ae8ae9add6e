package dev.weft.testkit;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Something a test class shares between its tests, a throw-away server most often: started before the
 * class's first test, closed after its last, as a JUnit 5 extension in a static field.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ClassFixture&lt;PostgresServer&gt; PG = ClassFixture.of(PostgresServer::start);
 * ...
 * DriverManager.getConnection(PG.get().url(), PG.get().properties());
 * </pre>
 *
 * A start that skips (a missing binary, see {@link Tools}) skips the whole class, naming what is missing;
 * one that fails fails every test of the class with its exception. Thread rule: JUnit's threads.
 *
 * @param <T> what it holds
 */
public final class ClassFixture<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    /** Makes the fixture; may throw, or abort the tests through JUnit's {@code Assumptions}. */
    @FunctionalInterface
    public interface Start<T> {
        T start() throws Exception;
    }

    private final Start<T> start;
    private volatile T value;

    private ClassFixture(Start<T> start) {
        this.start = Objects.requireNonNull(start, "start");
    }

    /** A fixture that {@code start} makes before the class's first test. */
    public static <T extends AutoCloseable> ClassFixture<T> of(Start<T> start) {
        return new ClassFixture<>(start);
    }

    /**
     * What {@code start} made.
     *
     * @throws IllegalStateException outside the tests of the class (the field is not a registered extension,
     *                               or not static)
     */
    public T get() {
        T v = value;
        if (v == null) {
            throw new IllegalStateException("the fixture is not started: register it with @RegisterExtension on a"
                    + " static field, and use it in the tests of that class");
        }
        return v;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        value = start.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        T v = value;
        value = null;
        if (v != null) {
            v.close();
        }
    }
}
