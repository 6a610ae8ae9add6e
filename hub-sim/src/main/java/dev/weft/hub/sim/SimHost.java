package dev.weft.hub.sim;

import java.net.InetAddress;

/**
 * A simulated machine of a {@link Simulation}: a name and a made-up address. Its fibers are those
 * spawned inside {@link Simulation#onHost} and their descendants; its sockets have its address, its
 * listeners take connections to that address (127.0.0.1 on a host means the host itself), and a
 * partition separates hosts. Every host's fibers run on the simulation's one hub (a host is an
 * address space and a set of fibers, not a hub of its own). Simulation thread.
 */
public final class SimHost {
    private final String name;
    private final InetAddress address;

    SimHost(String name, InetAddress address) {
        this.name = name;
        this.address = address;
    }

    /** The name given to {@link Simulation#host}. */
    public String name() {
        return name;
    }

    /** The made-up address. */
    public InetAddress address() {
        return address;
    }

    @Override
    public String toString() {
        return name + " (" + address.getHostAddress() + ")";
    }
}
