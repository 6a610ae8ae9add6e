package dev.weft.sockets;

/** A socket that remembers who closed it, for the exception its blocked fibers get. */
interface ClosedBy {
    /** "fiber #3 'closer'", "the hub", or null while open. */
    String closedBy();
}
