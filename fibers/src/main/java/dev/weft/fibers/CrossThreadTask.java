package dev.weft.fibers;

/**
 * The body of a fiber that another thread handed to the hub ({@link Hub#execute}, {@link Hub#submit}).
 * Such a task was accepted, so it runs: hub shutdown does not kill it before it starts (it is killed
 * at its first blocking call instead), unlike fibers spawned on the hub.
 */
record CrossThreadTask(VoidTask body) implements VoidTask {
    @Override
    public void run() throws Exception {
        body.run();
    }
}
