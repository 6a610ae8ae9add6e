package dev.weft.testsuite;

import dev.weft.hub.Availability;
import dev.weft.hub.Backends;
import dev.weft.hub.HubBackend;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a backend suite run whose backend cannot run on this machine, naming the reason: the
 * optional runs (io_uring's, which a kernel, a sysctl or a container's seccomp profile can refuse)
 * turn it on with {@code junit.jupiter.extensions.autodetection.enabled=true} (see weft-parent's
 * {@code backend-suite-io_uring} profile); the runs that must work (the default backend, nio) never
 * load it, so there an unavailable backend fails as it should. The reason is printed once per JVM to
 * stderr and given as each test's skip reason.
 *
 * <p>Thread rule: any thread.
 */
public final class NamedBackendCondition implements ExecutionCondition {
    private static final AtomicBoolean PRINTED = new AtomicBoolean();
    private static volatile String refusal;
    private static volatile boolean checked;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String named = System.getProperty(Backends.PROPERTY);
        if (named == null || named.isBlank()) {
            return ConditionEvaluationResult.enabled("the default backend");
        }
        String reason = refusal(named.trim().toLowerCase(Locale.ROOT));
        if (reason == null) {
            return ConditionEvaluationResult.enabled("-D" + Backends.PROPERTY + "=" + named + " can run here");
        }
        if (PRINTED.compareAndSet(false, true)) {
            System.err.println("SKIPPED, the whole " + named + " run of this module: " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    private static String refusal(String named) {
        if (!checked) {
            String r = null;
            HubBackend found = null;
            for (HubBackend b : Backends.all()) {
                if (b.name().equals(named)) {
                    found = b;
                }
            }
            // absent from the class path: a build mistake, not this machine's refusal; the tests then fail
            if (found != null) {
                Availability a = found.availability();
                if (!a.available()) {
                    r = "the " + named + " backend cannot run on this machine: " + a.describe();
                }
            }
            refusal = r;
            checked = true;
        }
        return refusal;
    }
}
