package dev.weft.jmh.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What makes {@code bench tls-burst} (and {@code bench echo --tls}) compare servers rather than
 * settings: Netty's server offers the JDK's cipher suites in the JDK's order, as the JDK-based
 * servers do (left to Netty's default list, its TLS 1.3 handshakes used AES-128/SHA-256 against the
 * others' AES-256/SHA-384), and the driver can split a server JVM's CPU by thread group.
 */
class BurstComparisonSetupTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nettysServerPrefersTheSuitesTheJdkServersPrefer() throws Exception {
        Path p12 = TlsKeys.generate();
        try {
            SslContext netty = TlsKeys.nettyServer(p12);
            SSLEngine engine = netty.newEngine(ByteBufAllocator.DEFAULT);
            List<String> jdk = Arrays.asList(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
            List<String> enabled = Arrays.asList(engine.getEnabledCipherSuites());
            assertEquals(jdk.get(0), enabled.get(0), "first suite: " + enabled);
            assertEquals(jdk.stream().filter(enabled::contains).toList(), enabled, "the JDK's order");
            assertTrue(engine.getSSLParameters().getUseCipherSuitesOrder(), "the server's order decides");
        } finally {
            Files.deleteIfExists(p12);
            Files.deleteIfExists(p12.getParent());
        }
    }

    @Test
    void hotSpotThreadsAreGroupedByTheirKernelNames() {
        assertEquals("jit", ServerJvm.threadGroup("C2 CompilerThre"));
        assertEquals("jit", ServerJvm.threadGroup("C1 CompilerThre"));
        assertEquals("gc", ServerJvm.threadGroup("GC Thread#0"));
        assertEquals("gc", ServerJvm.threadGroup("G1 Conc#0"));
        assertEquals("gc", ServerJvm.threadGroup("ZWorker#1"));
        assertEquals("vm", ServerJvm.threadGroup("VM Thread"));
        assertEquals("vm", ServerJvm.threadGroup("VM Periodic Tas"));
        assertEquals("java", ServerJvm.threadGroup("weft-echo-hub"));
        assertEquals("java", ServerJvm.threadGroup("multiThreadIoEv"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aServerJvmsCpuIsSplitByThreadGroup() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc/PID/task here (not Linux)");
        try (ServerJvm jvm = ServerJvm.start(EchoServerMain.class, "weft-nio", null, false)) {
            Map<String, Long> groups = jvm.cpuNanosByThreadGroup();
            assertTrue(groups.getOrDefault("java", 0L) > 0, groups::toString);
            assertTrue(groups.getOrDefault("jit", 0L) > 0, groups::toString); // startup compiles something
            long sum = groups.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(sum <= jvm.cpuNanos() + TimeUnit.MILLISECONDS.toNanos(50), groups + " vs " + jvm.cpuNanos());
        }
    }
}
