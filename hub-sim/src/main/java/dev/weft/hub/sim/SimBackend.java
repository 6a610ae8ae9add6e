package dev.weft.hub.sim;

import dev.weft.hub.Availability;
import dev.weft.hub.HubBackend;
import dev.weft.hub.Poller;

/**
 * The simulation backend: one hub with a virtual clock, a seeded order among ready fibers and an
 * in-memory network ({@link SimPoller}). Chosen only by name ({@code -Dweft.hub=sim},
 * {@code Hub.run("sim", ...)}); its priority is below every real backend's, so the default choice
 * never picks it. A hub opened on a thread where {@link Simulation#prepare} was called belongs to that
 * simulation; otherwise to a new one with {@link SimSettings#fromSystemProperties()}.
 */
public final class SimBackend implements HubBackend {
    /** Public for {@link java.util.ServiceLoader}. */
    public SimBackend() {
    }

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public int priority() {
        return -1_000;
    }

    @Override
    public String artifact() {
        return "dev.weft:hub-sim";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Poller open() {
        return new SimPoller(Simulation.takePending());
    }
}
