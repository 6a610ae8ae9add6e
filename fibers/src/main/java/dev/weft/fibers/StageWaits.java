package dev.weft.fibers;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The completion stages fibers of one hub wait for ({@link Futures#await}): one {@link AsyncResult}
 * and one callback on the stage per stage, however many fibers wait for it and however many waits
 * were abandoned (timed out, killed). A callback cannot be taken off a {@code CompletableFuture}, so
 * a callback per wait would leave one dependent on the stage per abandoned wait (200,000 timed-out
 * waits of one future: 200,000 dependents, 23 MB).
 *
 * <p>Stages are held weakly and by identity: an entry goes when a waiter takes the stage's outcome,
 * or when the stage itself is collected. Hub thread only.
 */
final class StageWaits {
    /** A stage, by identity, held weakly. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object stage, ReferenceQueue<Object> queue) {
            super(stage, queue);
            this.hash = System.identityHashCode(stage);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof Key k && k.hash == hash && k.get() == get() && get() != null);
        }
    }

    private final Map<Key, AsyncResult<?>> waits = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /**
     * The hub's result for {@code stage}: completed (from whichever thread completes the stage) with
     * its value, or with its failure passed through {@code unwrap}. Registers the stage's one callback
     * on first use. Hub thread.
     */
    @SuppressWarnings("unchecked")
    <T> AsyncResult<T> resultOf(CompletionStage<T> stage, Function<Throwable, Throwable> unwrap) {
        expungeCollected();
        AsyncResult<T> r = (AsyncResult<T>) waits.get(new Key(stage, null));
        if (r != null) {
            return r;
        }
        AsyncResult<T> result = new AsyncResult<>();
        waits.put(new Key(stage, collected), result);
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                result.set(value);
            } else {
                result.setException(unwrap.apply(failure));
            }
        });
        return result;
    }

    /** Forgets {@code stage} once a waiter has its outcome (later waits find the stage done). Hub thread. */
    void taken(CompletionStage<?> stage) {
        waits.remove(new Key(stage, null));
    }

    /** Stages waited for now (for tests). */
    int size() {
        expungeCollected();
        return waits.size();
    }

    private void expungeCollected() {
        for (Object k; (k = collected.poll()) != null; ) {
            waits.remove(k);
        }
    }
}
