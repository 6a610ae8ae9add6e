package dev.weft.jmh.multicore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.jmh.echo.ServerJvm;
import dev.weft.testkit.Tools;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The pieces of {@code ./weft bench multicore} without timing anything: the chart is well-formed SVG
 * with two bars (throughput, CPU) per row carrying the rows' values; the goal verdicts compare the
 * right rows; the Go servers build from the module's source and answer (HTTP and echo) when {@code
 * go} is here (installed with apt-get when running as root, else skipped naming golang-go).
 */
class MulticoreBenchPartsTest {
    private static List<MulticoreBench.Result> rows() {
        List<MulticoreBench.Result> rows = new ArrayList<>();
        MulticoreBench.Server w1 = new MulticoreBench.Server("weft", 1, "Weft 1 hub");
        MulticoreBench.Server w2 = new MulticoreBench.Server("weft", 2, "Weft 2 hubs");
        MulticoreBench.Server n1 = new MulticoreBench.Server("netty", 1, "Netty 1 loop");
        MulticoreBench.Server n2 = new MulticoreBench.Server("netty", 2, "Netty 2 loops");
        MulticoreBench.Server jdk = new MulticoreBench.Server("jdk", 2, "JDK <virtual> & \"threads\"");
        rows.add(new MulticoreBench.Result("HTTP", 100, w1, 40_000, 20, 3000, ""));
        rows.add(new MulticoreBench.Result("HTTP", 100, w2, 60_000, 18, 2000, ""));
        rows.add(new MulticoreBench.Result("HTTP", 100, n1, 50_000, 15, 2500, ""));
        rows.add(new MulticoreBench.Result("HTTP", 100, n2, 70_000, 16, 1800, ""));
        rows.add(new MulticoreBench.Result("HTTP", 100, jdk, 20_000, 60, 9000, ""));
        rows.add(new MulticoreBench.Result("echo", 1000, w1, 80_000, 9, 3000, ""));
        rows.add(new MulticoreBench.Result("echo", 1000, w2, 90_000, 8, 3000, ""));
        rows.add(new MulticoreBench.Result("echo", 1000, n1, 85_000, 10, 3000, ""));
        rows.add(new MulticoreBench.Result("echo", 1000, n2, 120_000, 11, 3000, ""));
        return rows;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theChartIsWellFormedSvgWithTwoBarsPerRow() throws Exception {
        List<MulticoreBench.Result> rows = rows();
        String svg = MulticoreChart.svg("title & <more>", "2 CPUs", MulticoreBench.bars(rows));
        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getAttribute("xmlns"));
        NodeList rects = doc.getElementsByTagName("rect");
        List<Element> bars = new ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").equals("bar")) {
                bars.add(e);
            }
        }
        assertEquals(2 * rows.size(), bars.size(), svg);
        Set<String> values = new HashSet<>();
        for (Element b : bars) {
            values.add(b.getAttribute("data-group") + "|" + b.getAttribute("data-series") + "|" + b.getAttribute("data-value"));
            assertTrue(Double.parseDouble(b.getAttribute("height")) >= 0, svg);
        }
        for (MulticoreBench.Result r : rows) {
            String key = r.group() + "|" + r.server().series() + "|";
            assertTrue(values.contains(key + String.format(java.util.Locale.ROOT, "%.3f", r.perSecond())), key);
            assertTrue(values.contains(key + String.format(java.util.Locale.ROOT, "%.3f", r.cpuMicros())), key);
        }
        // The tallest throughput bar is the largest value; a bar of half its value is about half as tall.
        Element http100weft1 = bars.stream().filter(b -> b.getAttribute("data-value").equals("40000.000")).findFirst().orElseThrow();
        Element echoNetty2 = bars.stream().filter(b -> b.getAttribute("data-value").equals("120000.000")).findFirst().orElseThrow();
        double ratio = Double.parseDouble(http100weft1.getAttribute("height")) / Double.parseDouble(echoNetty2.getAttribute("height"));
        assertEquals(1.0 / 3, ratio, 0.02, svg);
        assertThrows(IllegalArgumentException.class, () -> MulticoreChart.svg("t", "s", List.of()));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theVerdictsCompareWeftWithNettyPerWorkload() {
        List<String> v = MulticoreBench.verdicts(rows());
        assertEquals(2, v.size(), v::toString);
        assertTrue(v.get(0).startsWith("HTTP C=100"), v::toString);
        // HTTP: Weft x1.50 vs Netty x1.40 met; CPU at 1: 20 vs 15 not met; at 2: 18 vs 16 not met.
        assertTrue(v.get(0).contains("Weft x1.50, Netty x1.40: met"), v::toString);
        assertTrue(v.get(0).contains("at 1: Weft 20.00 vs Netty 15.00 µs: NOT met"), v::toString);
        // echo: Weft x1.13 vs Netty x1.41: not met; CPU 9 vs 10 met, 8 vs 11 met.
        assertTrue(v.get(1).contains("NOT met;  CPU/req at 1: Weft 9.00 vs Netty 10.00 µs: met"), v::toString);
        assertTrue(v.get(1).endsWith("at 2: Weft 8.00 vs Netty 11.00 µs: met"), v::toString);
    }

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void theGoServersBuildAndAnswer(@TempDir Path dir) throws Exception {
        if (!GoServers.goAvailable()) {
            Tools.installAsRoot("golang-go");
        }
        Assumptions.assumeTrue(GoServers.goAvailable(),
                "SKIPPED: go is not on the PATH and could not be installed (Debian package golang-go)");
        GoServers go = GoServers.build(dir);
        try (ServerJvm http = go.start("http", 2)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/bar"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("Hello, World!", r.body());
            assertEquals("text/plain", r.headers().firstValue("Content-Type").orElse(""));
        }
        try (ServerJvm echo = go.start("echo", 1);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
            s.setSoTimeout(10_000);
            byte[] message = new byte[64 * 1024];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) (i * 31);
            }
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(message);
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = in.readNBytes(message.length);
            writer.join();
            assertTrue(java.util.Arrays.equals(message, back), "the echo differs");
        }
    }
}
