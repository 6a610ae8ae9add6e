package dev.weft.fibers;

/**
 * Thrown by {@link Queue} operations after {@link Queue#close()}: a put (its item was not added),
 * or a get once every item left in the queue has been taken. For a consumer it means "no more
 * items will come": end the loop.
 */
public final class QueueClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    QueueClosedException(String message) {
        super(message);
    }
}
