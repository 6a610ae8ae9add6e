package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Processes;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 28: the HTTP drop-in path ({@code HttpServer.create} through the provider) in a JVM
 * started without {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} died with a bare
 * {@code IllegalAccessError}; it names the flag now.
 */
@org.junit.jupiter.api.Timeout(60)
class ProviderWithoutJvmFlagTest {

    /** Run in a child JVM without the flag. */
    public static final class WithoutFlag {
        public static void main(String[] args) {
            report("HttpServer.create", () -> HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            report("HttpsServer.create", () -> HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            report("WeftHttpServer.create", () -> WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            System.exit(3);
        }

        private interface Call {
            Object run() throws Exception;
        }

        private static void report(String what, Call call) {
            try {
                System.out.println(what + ": no exception, " + call.run().getClass().getSimpleName());
            } catch (Throwable t) {
                boolean names = t.getMessage() != null
                        && t.getMessage().contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
                System.out.println(what + ": " + t.getClass().getSimpleName() + (names ? " naming the flag" : ": " + t));
            }
        }
    }

    @Test
    void httpServerCreateThroughTheProviderNamesTheMissingFlag() throws Exception {
        Processes.Result r = ChildJvm.of(WithoutFlag.class).withoutWeftFlags().run(50);
        assertEquals(3, r.exit(), r.toString());
        assertEquals("""
                HttpServer.create: IllegalStateException naming the flag
                HttpsServer.create: IllegalStateException naming the flag
                WeftHttpServer.create: IllegalStateException naming the flag
                """, r.out());
    }
}
