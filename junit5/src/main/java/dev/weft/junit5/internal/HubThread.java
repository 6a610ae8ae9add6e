package dev.weft.junit5.internal;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A platform thread that owns one hub ({@link Hub#open}) for the life of one test invocation and runs
 * what it is handed (the {@code @BeforeEach} methods, the test method, the {@code @AfterEach} methods),
 * each as the main fiber of a {@link Hub#call}; fibers spawned by one stay alive, parked, for the next.
 * Failures of fibers nobody observed are collected instead of logged. The caller (a JUnit thread) waits
 * with a deadline; at the deadline it dumps the hub, kills the fiber and reports both.
 */
public final class HubThread {
    /** How long a dump or a kill may take before the hub is taken for stuck. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Callable<Object> CLOSE = () -> null;

    private final String backend;
    private final Thread thread;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final CompletableFuture<Hub> opened = new CompletableFuture<>();
    private final List<Throwable> unobserved = new CopyOnWriteArrayList<>();
    /** The main fiber of the job running now, or null. */
    private volatile Fiber<?> running;
    /** Set when a killed job did not end: the hub thread is blocked, later jobs would only queue. */
    private volatile String stuck;

    private record Job(Callable<Object> body, CompletableFuture<Object> outcome) {
    }

    private HubThread(String backend, String name) {
        this.backend = backend;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true); // a hub stuck in a blocking call must not keep the test JVM alive
    }

    /**
     * Starts the thread and opens a hub of {@code backend} on it.
     *
     * @throws Exception what {@link Hub#open} threw (the backend cannot run here, the JVM flag is missing)
     */
    public static HubThread start(String backend, String name) throws Exception {
        HubThread t = new HubThread(backend, name);
        t.thread.start();
        try {
            t.opened.get();
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
        return t;
    }

    /** The hub (its methods check their thread: use it from fibers of the test). */
    public Hub hub() {
        return opened.join();
    }

    /** The hub thread's name. */
    public String name() {
        return thread.getName();
    }

    /** What fibers of this hub threw that nobody joined or got, so far. */
    public List<Throwable> unobservedFailures() {
        return List.copyOf(unobserved);
    }

    private void loop() {
        Hub hub;
        try {
            hub = Hub.open(backend);
            hub.setUncaughtExceptionHandler((fiber, failure) -> unobserved.add(failure));
        } catch (Throwable e) {
            opened.completeExceptionally(e);
            return;
        }
        opened.complete(hub);
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                continue; // only close() ends this thread
            }
            if (job.body() == CLOSE) {
                try {
                    hub.close();
                    job.outcome().complete(null);
                } catch (Throwable e) {
                    job.outcome().completeExceptionally(e);
                }
                return;
            }
            try {
                job.outcome().complete(hub.call(() -> {
                    running = Fiber.current();
                    try {
                        return job.body().call();
                    } finally {
                        running = null;
                    }
                }));
            } catch (Throwable e) {
                job.outcome().completeExceptionally(e);
            }
        }
    }

    /**
     * Runs {@code body} as a fiber on the hub and waits for it, at most {@code timeout}; returns its result
     * or throws what it threw. Blocks the calling thread (not the hub thread).
     *
     * @param what the test or method, for the timeout's message
     * @throws TimeoutException if it did not end in time (or the calling thread was interrupted): the
     *                          message holds the hub's dump taken then; the fiber has been killed
     */
    public Object call(Callable<Object> body, Duration timeout, String what) throws Throwable {
        if (stuck != null) {
            throw new IllegalStateException(what + " was not run: " + stuck);
        }
        Job job = new Job(body, new CompletableFuture<>());
        jobs.add(job);
        try {
            return job.outcome().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            String dump = dump();
            String killed = kill(job);
            TimeoutException timedOut = new TimeoutException(what + " on the " + backend + " backend did not end within "
                    + describe(timeout) + (e instanceof InterruptedException ? " (interrupted)" : "") + "; " + killed
                    + ". The hub '" + name() + "' then:\n" + dump);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw timedOut;
        }
    }

    /** The hub's own dump, or the hub thread's stack when the hub does not answer (something blocks it). */
    private String dump() {
        try {
            Hub hub = hub();
            return hub.submit(hub::dump).get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception notAnswering) {
            StringBuilder sb = new StringBuilder("the hub thread does not answer (a call blocks it); it is ")
                    .append(thread.getState()).append(" at:");
            for (StackTraceElement e : thread.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
            return sb.toString();
        }
    }

    /** Kills the job's fiber and waits a little for it to unwind; says how that went. */
    private String kill(Job job) {
        Fiber<?> fiber = running;
        if (fiber == null) {
            return "it had not started";
        }
        try {
            hub().execute(() -> {
                if (running == fiber) {
                    fiber.kill();
                }
            });
            job.outcome().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException unwound) {
            // the kill's FiberKilledError (or what the test threw while unwinding): it ended
        } catch (TimeoutException | RejectedExecutionException notEnded) {
            stuck = "the hub '" + name() + "' is stuck: a killed fiber did not end within " + describe(GRACE);
            return "it was killed but did not end within " + describe(GRACE) + " (the hub is stuck)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "it was killed; its end was not awaited (interrupted)";
        }
        return "it was killed and unwound";
    }

    /**
     * Closes the hub on its thread (every remaining fiber is killed and unwinds) and ends the thread.
     *
     * @throws TimeoutException if the hub did not close within {@code timeout} (a fiber blocks its thread);
     *                          the thread is then left behind (a daemon)
     */
    public void close(Duration timeout) throws Throwable {
        Job job = new Job(CLOSE, new CompletableFuture<>());
        jobs.add(job); // also when stuck: should the blocking call return, the thread closes the hub then
        if (stuck != null) {
            throw new IllegalStateException(stuck + "; it is left behind (a daemon thread), to close its hub"
                    + " if the blocking call ever returns");
        }
        try {
            job.outcome().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            thread.join(timeout.toMillis());
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            throw new TimeoutException("the hub '" + name() + "' did not close within " + describe(timeout)
                    + "; it was left running. Its thread then:\n" + dump());
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Exception e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
