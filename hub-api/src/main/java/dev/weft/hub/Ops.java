package dev.weft.hub;

/**
 * Readiness interests for {@link IoHandle#await(int, Runnable)}: bit flags that may be or-ed.
 */
public final class Ops {
    /** Readable: data, end-of-stream, a pending connection (listeners) or an error can be read. */
    public static final int READ = 1;
    /** Writable: buffer space, or a non-blocking connect has completed (successfully or not). */
    public static final int WRITE = 2;

    private Ops() {
    }

    /** For messages: {@code "READ"}, {@code "WRITE"}, {@code "READ|WRITE"}. */
    public static String toString(int ops) {
        return switch (ops & (READ | WRITE)) {
            case READ -> "READ";
            case WRITE -> "WRITE";
            case READ | WRITE -> "READ|WRITE";
            default -> "NONE";
        };
    }
}
