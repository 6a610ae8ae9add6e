package dev.weft.jmh;

import java.util.concurrent.locks.LockSupport;

/**
 * {@link ThreadPingPong} with {@code LockSupport.park/unpark} and a volatile turn flag: the
 * cheapest way two threads hand control to each other, and what virtual-thread schedulers do
 * underneath every blocking call.
 */
final class ParkPingPong extends ThreadPingPong {
    /** 0: the pinger's turn; 1: the ponger's. */
    private volatile int turn;

    ParkPingPong(Thread.Builder threads) {
        super(threads);
    }

    @Override
    void roundTrip() {
        turn = 1;
        LockSupport.unpark(ponger());
        while (turn != 0) {
            LockSupport.park(this);
        }
    }

    @Override
    boolean answer() {
        while (turn != 1) {
            if (closed) {
                return false;
            }
            LockSupport.park(this);
        }
        turn = 0;
        LockSupport.unpark(pinger());
        return true;
    }
}
