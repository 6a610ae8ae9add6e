package dev.weft.fibers.internal;

/**
 * Checks, before any continuation class is loaded, that the JVM was started with the one flag Weft
 * needs. Without it the first fiber would fail with a bare {@code IllegalAccessError}. Every entry
 * point that needs a hub calls {@link #check()} first ({@code Hub.run}/{@code Hub.open}, the HTTP
 * servers and their {@code HttpServerProvider}); the others ({@code Fiber.inFiber()}, {@code
 * Hub.current()}...) work without the flag and name it in the exception they throw for want of a hub.
 */
public final class JvmFlags {
    /** The flag, as users must pass it to {@code java}, Surefire, JMH forks or exec. */
    public static final String EXPORTS_FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";

    private static volatile boolean checked;

    private JvmFlags() {
    }

    /**
     * Throws {@link IllegalStateException} naming the flag unless {@code java.base} exports
     * {@code jdk.internal.vm} to Weft's module. Cheap after the first successful call.
     */
    public static void check() {
        if (checked) {
            return;
        }
        if (Runtime.version().feature() < 21) {
            throw new IllegalStateException("Weft needs Java 21 or newer; this JVM is " + Runtime.version()
                    + ". Run it with a JDK 21+ (the ./weft launcher finds one).");
        }
        if (!exported()) {
            throw new IllegalStateException("Weft fibers run on jdk.internal.vm.Continuation, which java.base does not export"
                    + " to this code. Start the JVM with " + EXPORTS_FLAG
                    + " (java command line, Surefire argLine, JMH @Fork(jvmArgsAppend), exec args),"
                    + " or add 'Add-Exports: java.base/jdk.internal.vm' to the manifest of an executable jar.");
        }
        checked = true;
    }

    /** Whether {@code java.base} exports {@code jdk.internal.vm} to Weft (the flag was given). Any thread. */
    public static boolean exported() {
        return checked || Object.class.getModule().isExported("jdk.internal.vm", JvmFlags.class.getModule());
    }

    /**
     * For messages about a missing hub: a sentence naming the flag when it is missing too (so the user
     * learns it before {@code Hub.run} fails for want of it), else the empty string. Any thread.
     */
    public static String missingNote() {
        return exported() ? "" : " Note: this JVM also lacks " + EXPORTS_FLAG + ", which every hub needs: add it to"
                + " the java command line (or 'Add-Exports: java.base/jdk.internal.vm' to an executable jar's manifest).";
    }
}
