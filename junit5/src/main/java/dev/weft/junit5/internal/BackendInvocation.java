package dev.weft.junit5.internal;

import dev.weft.fibers.Hub;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * One run of a {@code @FiberTest} method on one backend: a hub of that backend on a thread of its own is
 * opened before the {@code @BeforeEach} methods and closed after the {@code @AfterEach} methods; those and
 * the test method run on it as fibers, each within the timeout; a {@link Hub} parameter is that hub. It
 * fails the test with what the hub watchdog reported about the hub, and with failures of fibers nobody
 * joined. Made by {@link dev.weft.junit5.FiberTestExtension}, one per invocation; JUnit's threads.
 */
public final class BackendInvocation implements TestTemplateInvocationContext, BeforeEachCallback, AfterEachCallback,
        InvocationInterceptor, ParameterResolver {
    private final String backend;
    private final Duration timeout;
    /** Set in beforeEach (JUnit's thread), read by the interceptors, which may run on a timeout thread of JUnit. */
    private volatile HubThread hub;

    /** A run on {@code backend} whose every method must end within {@code timeout}. */
    public BackendInvocation(String backend, Duration timeout) {
        this.backend = backend;
        this.timeout = timeout;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
        return "[" + backend + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        return List.of(this);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        String base = "weft-test[" + backend + "] " + context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName();
        String name = base;
        for (int n = 2; !WatchdogReports.watch(name); n++) { // the same name running twice at once (parallel runs)
            name = base + " #" + n;
        }
        try {
            hub = HubThread.start(backend, name);
        } catch (Exception e) {
            WatchdogReports.stop(name);
            throw e;
        }
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        onHub(invocation, "@BeforeEach " + invocationContext.getExecutable().getName() + "()");
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        onHub(invocation, extensionContext.getRequiredTestClass().getSimpleName() + "."
                + invocationContext.getExecutable().getName() + "()");
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        onHub(invocation, "@AfterEach " + invocationContext.getExecutable().getName() + "()");
    }

    private void onHub(Invocation<Void> invocation, String what) throws Throwable {
        try {
            hub.call(() -> {
                try {
                    invocation.proceed();
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                return null;
            }, timeout, what);
        } catch (Throwable t) {
            throw named(t);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (hub == null) {
            return;
        }
        Throwable closing = null;
        try {
            hub.close(timeout);
        } catch (Throwable t) {
            closing = t;
        }
        List<String> reports = WatchdogReports.stop(hub.name());
        List<Throwable> unobserved = hub.unobservedFailures();
        AssertionFailedError failure = null;
        if (!reports.isEmpty()) {
            failure = new AssertionFailedError("the hub watchdog reported the hub of this test blocked: a call blocked"
                    + " its thread instead of parking a fiber (-Dweft.watchdog.ms sets the threshold):\n"
                    + String.join("\n---\n", reports));
        }
        if (!unobserved.isEmpty()) {
            AssertionFailedError lost = new AssertionFailedError(unobserved.size() + " fiber failure(s) nobody joined or"
                    + " got (the first is the cause; join or get the fibers you spawn, or set your own"
                    + " Hub.setUncaughtExceptionHandler)", unobserved.get(0));
            unobserved.stream().skip(1).forEach(lost::addSuppressed);
            failure = add(failure, lost);
        }
        if (closing != null) {
            failure = add(failure, new AssertionFailedError("closing the hub failed: " + closing, closing));
        }
        if (failure != null) {
            named(failure);
            throw failure;
        }
    }

    private static AssertionFailedError add(AssertionFailedError first, AssertionFailedError next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Names the backend and hub thread on a failure (as a suppressed note); a skip passes as it is. */
    private Throwable named(Throwable t) {
        if (!(t instanceof TestAbortedException)) {
            t.addSuppressed(new BackendNote("the test ran as a fiber on the " + backend + " backend, hub thread '"
                    + (hub == null ? "?" : hub.name()) + "'"));
        }
        return t;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Hub.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return hub.hub();
    }

    /** Which backend a failure happened on; a note without a stack trace. */
    static final class BackendNote extends RuntimeException {
        BackendNote(String message) {
            super(message, null, false, false);
        }
    }
}
