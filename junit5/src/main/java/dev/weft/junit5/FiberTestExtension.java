package dev.weft.junit5;

import dev.weft.junit5.internal.BackendInvocation;
import dev.weft.junit5.internal.TestBackends;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link FiberTest}: one invocation of the test method per backend (see
 * {@link FiberTest} for which), each on a hub of its own. Registered by the annotation; there is no need
 * to name it. JUnit's threads.
 */
public final class FiberTestExtension implements TestTemplateInvocationContextProvider {

    /** Made by JUnit. */
    public FiberTestExtension() {
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, FiberTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        FiberTest settings = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), FiberTest.class)
                .orElseThrow();
        if (settings.timeout() <= 0) {
            throw new IllegalArgumentException("@FiberTest(timeout = " + settings.timeout() + ") on "
                    + context.getRequiredTestMethod() + ": the timeout must be positive");
        }
        Duration timeout = Duration.of(settings.timeout(), settings.unit().toChronoUnit());
        return TestBackends.chosen().stream().map(backend -> new BackendInvocation(backend, timeout));
    }
}
