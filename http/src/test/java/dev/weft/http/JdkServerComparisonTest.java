package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same application on the JDK's own server and on Weft's, asked the same raw requests: which
 * context serves a path (with its filters and authenticator), and which request targets are
 * accepted. Where Weft must behave as the JDK does, the answers must be equal.
 */
@org.junit.jupiter.api.Timeout(60)
class JdkServerComparisonTest {
    /** The JDK's own server, whatever provider the service files would choose (Weft's, in this module). */
    static HttpServer jdkServer() throws Exception {
        HttpServerProvider jdk = (HttpServerProvider) Class.forName("sun.net.httpserver.DefaultHttpServerProvider")
                .getDeclaredConstructor().newInstance(); // needs --add-exports jdk.httpserver/sun.net.httpserver
        return jdk.createHttpServer(new InetSocketAddress("127.0.0.1", 0), 0);
    }

    /** {@code /admin} behind a filter and Basic authentication, {@code /} open; each handler names itself. */
    private static void application(HttpServer server) {
        HttpContext admin = server.createContext("/admin", answer("admin"));
        admin.getFilters().add(new Filter() {
            @Override
            public void doFilter(HttpExchange ex, Chain chain) throws IOException {
                ex.getResponseHeaders().add("X-Audited", "yes");
                chain.doFilter(ex);
            }

            @Override
            public String description() {
                return "audit";
            }
        });
        admin.setAuthenticator(new BasicAuthenticator("admin") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return user.equals("root") && password.equals("pw");
            }
        });
        server.createContext("/", answer("root"));
    }

    private static HttpHandler answer(String name) {
        return ex -> {
            byte[] b = (name + " " + ex.getRequestURI().getRawPath() + " query=" + ex.getRequestURI().getQuery())
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        };
    }

    /** Status, the filter's header and the body of one request, on a connection of its own. */
    static String ask(HttpServer server, String target, String extraHeaders) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.getAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extraHeaders + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = all.indexOf("\r\n\r\n");
            String status = all.substring(9, 12);
            boolean audited = all.substring(0, end).toLowerCase(java.util.Locale.ROOT).contains("x-audited: yes");
            String body = status.equals("200") ? all.substring(end + 4) : "";
            return status + (audited ? " audited " : " ") + body;
        }
    }

    private static List<String> askAll(HttpServer server, List<String> targets, String headers) throws IOException {
        List<String> out = new ArrayList<>();
        for (String t : targets) {
            out.add(t + " -> " + ask(server, t, headers));
        }
        return out;
    }

    private static List<String> onBoth(List<String> targets, String headers, List<String> weftAnswers) throws Exception {
        HttpServer jdk = jdkServer();
        HttpServer weft = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        application(jdk);
        application(weft);
        jdk.start();
        weft.start();
        try {
            List<String> fromJdk = askAll(jdk, targets, headers);
            weftAnswers.addAll(askAll(weft, targets, headers));
            return fromJdk;
        } finally {
            jdk.stop(0);
            weft.stop(0);
        }
    }

    @Test
    void aContextServesEveryPathItsPathIsAStringPrefixOfWithItsFiltersAndAuthenticator() throws Exception {
        List<String> targets = List.of("/admin", "/admin/", "/admin/users", "/admin.html", "/administrator", "/adminx?q=1",
                "/ad", "/", "/other");
        List<String> weft = new ArrayList<>();
        List<String> jdk = onBoth(targets, "", weft);
        assertEquals(jdk, weft);
        assertTrue(weft.contains("/administrator -> 401 audited "), "the authenticator of /admin guards /administrator: " + weft);
        assertTrue(weft.contains("/admin.html -> 401 audited "), weft.toString());
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString("root:pw".getBytes(StandardCharsets.UTF_8))
                + "\r\n";
        List<String> weftAuthorized = new ArrayList<>();
        assertEquals(onBoth(targets, auth, weftAuthorized), weftAuthorized);
        assertTrue(weftAuthorized.contains("/admin.html -> 200 audited admin /admin.html query=null"), weftAuthorized.toString());
    }

    @Test
    void squareBracketsInTheQueryAreAcceptedAsTheJdkDoesAndRefusedInThePath() throws Exception {
        List<String> targets = List.of("/list?filter[name]=ann&ids[]=1&ids[]=2", "/x?a=[1]", "/a[b]", "/x?a={1}", "/x?a=|");
        List<String> weft = new ArrayList<>();
        List<String> jdk = onBoth(targets, "", weft);
        assertEquals(jdk, weft);
        assertEquals("/list?filter[name]=ann&ids[]=1&ids[]=2 -> 200 root /list query=filter[name]=ann&ids[]=1&ids[]=2",
                weft.get(0));
        assertEquals("/a[b] -> 400 ", weft.get(2));
    }
}
