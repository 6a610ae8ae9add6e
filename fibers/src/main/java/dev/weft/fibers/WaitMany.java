package dev.weft.fibers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The one implementation behind {@link Waitable}'s waits: the calling fiber subscribes to every
 * object not yet ready, parks once, and re-checks when any of them wakes it.
 *
 * <p>Implementation notes: subscribing uses each type's own waiter list, so a set/complete/exit
 * makes this fiber runnable exactly as it would a plain waiter: an Event's or AsyncResult's waiter
 * deque (an AsyncResult also holds a keep-alive: another thread may complete it), and a fiber's
 * removable on-exit notification (which, unlike a join, does not count as observing a failure).
 * Every subscription is undone in a finally block, so a kill or a Timeout leaves nothing behind.
 * An Event counts as ready if it was set at least once since the wait began (its generation moved),
 * so a set-then-clear between wake-up and re-check is not missed; for {@code iwait} "the wait" is the
 * whole iteration, so an Event set and cleared while the consumer handles an earlier object is
 * returned too (as gevent's iwait, whose links stay in place between items).
 */
final class WaitMany {
    private WaitMany() {
    }

    /** One wait: the objects, their subscription state and the Event generations seen at the start. */
    private static final class Wait {
        final Waitable[] objects;
        final long[] marks;
        final boolean[] subscribed;
        final FiberCore me;
        final Consumer<Fiber<?>> wake;
        final String what;

        Wait(Collection<? extends Waitable> objects, FiberCore me, String what) {
            this(objects.toArray(new Waitable[0]), null, me, what);
        }

        /** A wait on {@code objects} whose Event generations were seen as {@code marks} (null: now). */
        Wait(Waitable[] objects, long[] marks, FiberCore me, String what) {
            this.objects = objects;
            this.marks = marks != null ? marks : new long[objects.length];
            this.subscribed = new boolean[this.objects.length];
            this.me = me;
            this.wake = f -> me.unpark();
            this.what = what;
            for (int i = 0; i < this.objects.length; i++) {
                Waitable w = this.objects[i];
                if (w == null) {
                    throw new NullPointerException(what + ": object " + i + " is null");
                }
                if (hubOf(w) != me.hub.face) {
                    throw new IllegalArgumentException(what + ": " + w + " belongs to another hub than fiber " + me);
                }
                if (w instanceof Event e && marks == null) {
                    this.marks[i] = e.generation();
                }
            }
        }

        boolean ready(int i) {
            Waitable w = objects[i];
            return w.isReady() || (w instanceof Event e && e.generation() != marks[i]);
        }

        void subscribe(int i) {
            if (subscribed[i]) {
                return;
            }
            subscribed[i] = true;
            switch (objects[i]) {
                case Fiber<?> f -> f.onExit(wake);
                case Event e -> e.addWaiter(me);
                case AsyncResult<?> r -> r.addWaiter(me);
            }
        }

        void unsubscribeAll() {
            for (int i = 0; i < objects.length; i++) {
                if (subscribed[i]) {
                    subscribed[i] = false;
                    switch (objects[i]) {
                        case Fiber<?> f -> f.removeOnExit(wake);
                        case Event e -> e.removeWaiter(me);
                        case AsyncResult<?> r -> r.removeWaiter(me);
                    }
                }
            }
        }

        @Override
        public String toString() {
            return what + " of " + objects.length + " objects";
        }
    }

    private static Hub hubOf(Waitable w) {
        return switch (w) {
            case Fiber<?> f -> f.hub();
            case Event e -> e.hub();
            case AsyncResult<?> r -> r.hub();
        };
    }

    /**
     * Waits until {@code count} objects (or all, if fewer) are ready or the deadline passes;
     * returns the ready ones in the collection's order.
     */
    @SuppressWarnings("unchecked")
    static <W extends Waitable> List<W> await(Collection<? extends W> objects, int count, long deadline, String what) {
        if (objects.isEmpty()) {
            if (count == 1) {
                throw new IllegalArgumentException(what + " of no objects would wait forever");
            }
            Hub.current().checkThread(what);
            return List.of();
        }
        FiberCore me = Hub.currentFiber(what);
        Wait wait = new Wait(objects, me, what);
        int wanted = Math.min(count, wait.objects.length);
        try {
            while (true) {
                List<W> ready = new ArrayList<>();
                for (int i = 0; i < wait.objects.length; i++) {
                    if (wait.ready(i)) {
                        ready.add((W) wait.objects[i]);
                    } else {
                        wait.subscribe(i);
                    }
                }
                if (ready.size() >= wanted) {
                    return ready;
                }
                if (!me.parkUntil(wait, deadline)) {
                    List<W> late = new ArrayList<>();
                    for (int i = 0; i < wait.objects.length; i++) {
                        if (wait.ready(i)) {
                            late.add((W) wait.objects[i]);
                        }
                    }
                    return late;
                }
                wait.unsubscribeAll(); // an Event or AsyncResult dropped us when it woke us: start afresh
            }
        } finally {
            wait.unsubscribeAll();
        }
    }

    /**
     * gevent's {@code iwait}: the objects one by one as they become ready. The Event generations are
     * taken when the iteration begins, so an Event set (and perhaps cleared) at any time since counts,
     * also while the consumer was busy with an earlier object.
     */
    static final class Iwait<W extends Waitable> implements Iterator<W> {
        private final Waitable[] objects;
        private final long[] marks;
        private final boolean[] returned;
        private final long deadline;
        private int left;
        private W next;

        Iwait(Collection<? extends W> objects, long deadline) {
            FiberCore me = Hub.currentFiber("Waitable.iwait");
            this.objects = objects.toArray(new Waitable[0]);
            Wait check = new Wait(this.objects, null, me, "Waitable.iwait"); // validates and takes the marks
            this.marks = check.marks;
            this.returned = new boolean[this.objects.length];
            this.left = this.objects.length;
            this.deadline = deadline;
        }

        @Override
        @SuppressWarnings("unchecked")
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (left == 0) {
                return false;
            }
            FiberCore me = Hub.currentFiber("Waitable.iwait");
            Wait wait = new Wait(objects, marks, me, "Waitable.iwait");
            try {
                while (true) {
                    for (int i = 0; i < objects.length; i++) {
                        if (!returned[i]) {
                            if (wait.ready(i)) {
                                returned[i] = true;
                                left--;
                                next = (W) objects[i];
                                return true;
                            }
                            wait.subscribe(i);
                        }
                    }
                    if (!me.parkUntil(wait, deadline)) {
                        for (int i = 0; i < objects.length; i++) {
                            if (!returned[i] && wait.ready(i)) {
                                returned[i] = true;
                                left--;
                                next = (W) objects[i];
                                return true;
                            }
                        }
                        left = 0; // the timeout passed: the iteration ends
                        return false;
                    }
                    wait.unsubscribeAll(); // an Event or AsyncResult dropped us when it woke us: start afresh
                }
            } finally {
                wait.unsubscribeAll();
            }
        }

        @Override
        public W next() {
            if (!hasNext()) {
                throw new NoSuchElementException("every object was returned, or the timeout passed");
            }
            W w = next;
            next = null;
            return w;
        }
    }
}
