package dev.weft.jmh.fanout;

import dev.weft.jmh.echo.EchoServerMain;

/**
 * Runs one Java server of {@code bench fanout} ({@link FanoutServers}) in this JVM, speaking {@link
 * EchoServerMain#serve}'s protocol with the driver.
 */
public final class FanoutServerMain {
    private FanoutServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FanoutServerMain " + String.join("|", FanoutServers.JAVA));
            System.exit(2);
        }
        EchoServerMain.serve(FanoutServers.start(args[0]));
    }
}
