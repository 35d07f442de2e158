package io.meshwork.cli;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.cli.support.Chromium;
import io.meshwork.cli.support.LiveMesh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real proxies, real traffic: a caller node's proxy sends requests to an orders service whose own
 * proxy delivers them to an app (one in ten answered 503), both proxies report their traffic with
 * their heartbeats as they do in production, and the dashboard in Chromium shows the edge's
 * numbers moving; {@code meshwork stat} sees the same. The proxies run as their own processes on
 * the proxy module's runtime class path, in local mode on loopback addresses.
 */
class DashboardWithRealProxiesTest {
    private static final String CALLER = "127.0.0.30";
    private static final String ORDERS = "127.0.0.31";
    private static final String ORDERS_APP = "127.0.1.31";
    private static final String EDGE = "virtualNode/caller>virtualService/orders.shop.local";

    private static LiveMesh mesh;
    private static HttpServer app;
    private static final List<Process> proxies = new ArrayList<>();
    private static Thread load;
    private static final AtomicBoolean running = new AtomicBoolean(true);
    private static final AtomicLong sent = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        mesh = new LiveMesh(Map.of("micronaut.server.host", "127.0.0.1"));
        try (AppMeshClient c = mesh.appMesh()) {
            c.createVirtualNode(r -> r.meshName(LiveMesh.MESH).virtualNodeName("orders").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(ORDERS)))));
            c.createVirtualService(r -> r.meshName(LiveMesh.MESH).virtualServiceName("orders.shop.local")
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("orders")))));
            c.createVirtualNode(r -> r.meshName(LiveMesh.MESH).virtualNodeName("caller").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(CALLER)))
                    .backends(b -> b.virtualService(v -> v.virtualServiceName("orders.shop.local")))));
        }
        AtomicLong served = new AtomicLong();
        app = HttpServer.create(new InetSocketAddress(ORDERS_APP, 8080), 64);
        app.createContext("/", exchange -> {
            byte[] body = "order\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(served.incrementAndGet() % 10 == 0 ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        app.start();
        proxies.add(proxy("orders", ORDERS, ORDERS_APP));
        proxies.add(proxy("caller", CALLER, "127.0.1.30"));
        awaitRoute();
        load = new Thread(() -> {
            while (running.get()) {
                try {
                    get(CALLER, "orders.shop.local");
                    sent.incrementAndGet();
                    // A varying rate, so the numbers on the dashboard change from one report to the next.
                    Thread.sleep(5 + (System.currentTimeMillis() / 3000) % 4 * 5);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    sleepQuietly(100);
                }
            }
        }, "load");
        load.setDaemon(true);
        load.start();
    }

    @AfterAll
    static void stop() throws Exception {
        running.set(false);
        if (load != null) {
            load.interrupt();
        }
        for (Process p : proxies) {
            p.destroy();
            p.waitFor();
        }
        if (app != null) {
            app.stop(0);
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void theDashboardShowsRealProxiesTrafficAndItsNumbersMove() throws Exception {
        String url = mesh.cli("dashboard", "--url").out().trim();
        WebDriver browser = Chromium.start();
        try {
            browser.get(url);
            // Proxies report every 5 s; rates need two reports of each.
            // The page redraws every 2 s: an element found before a redraw is stale after it; look again.
            WebDriverWait wait = (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(StaleElementReferenceException.class);
            String first = wait.until(b -> {
                List<WebElement> l = b.findElements(By.cssSelector("text.label[data-edge='" + EDGE + "']"));
                return l.isEmpty() || !l.get(0).getText().matches("[1-9][\\d.]* rps · .*") ? null : l.get(0).getText();
            });
            assertTrue(first.matches("[\\d.]+ rps · [\\d.]+ % · p99 [\\d.]+ ms"), first);
            Chromium.screenshot(browser, "real-proxies-1");
            String moved = wait.until(b -> {
                String now = b.findElement(By.cssSelector("text.label[data-edge='" + EDGE + "']")).getText();
                return now.equals(first) ? null : now;
            });
            assertNotEquals(first, moved);
            Chromium.screenshot(browser, "real-proxies-2-moved");
            String stats = wait.until(b -> b.findElement(By.id("stats")).getText());
            assertTrue(stats.contains("virtualNode/orders") && stats.contains("inbound"), "the orders proxy's own view: " + stats);
        } finally {
            browser.quit();
        }
        LiveMesh.Run stat = mesh.cli("stat", "--mesh", LiveMesh.MESH);
        assertEquals(0, stat.exitCode(), stat.toString());
        String orders = stat.out().lines().filter(l -> l.startsWith("virtualNode/orders") && l.contains("its proxies, in"))
                .findFirst().orElseThrow(() -> new AssertionError(stat.toString()));
        // One in ten answers is a 503: the success rate is about 90 %.
        double success = Double.parseDouble(orders.replaceAll(".*\\s(\\d+\\.\\d+)%.*", "$1"));
        assertTrue(success > 80 && success < 97, orders);
    }

    /** The proxy of {@code node}, as bin/proxy runs it (local mode), on the proxy module's runtime class path. */
    private static Process proxy(String node, String address, String appAddress) throws IOException {
        Path module = Path.of("..", "proxy", "target");
        Path deps = module.resolve("runtime-classpath.txt");
        if (!Files.exists(deps)) {
            fail("the proxy module is not built: mvn -B -pl proxy -am package -DskipTests (a reactor build does it first)");
        }
        String classpath = module.resolve("classes").toAbsolutePath() + java.io.File.pathSeparator + Files.readString(deps).trim();
        ProcessBuilder b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-cp", classpath, "io.meshwork.proxy.ProxyMain");
        b.environment().keySet().removeIf(k -> k.startsWith("PROXY_") || k.startsWith("APPMESH_") || k.startsWith("AWS_"));
        b.environment().putAll(Map.of("APPMESH_RESOURCE_ARN", "mesh/" + LiveMesh.MESH + "/virtualNode/" + node, "PROXY_MODE", "local",
                "PROXY_LOCAL_ADDRESS", address, "PROXY_APP_ADDRESS", appAddress, "PROXY_CONTROL_API_URL", mesh.endpoint().toString(),
                "PROXY_DATA_DIR", Files.createTempDirectory("meshwork-proxy-").toString(), "PROXY_ID", node + "-1",
                "AWS_ACCESS_KEY_ID", LiveMesh.KEY_ID, "AWS_SECRET_ACCESS_KEY", LiveMesh.SECRET, "AWS_REGION", "us-east-1"));
        b.redirectErrorStream(true).redirectOutput(Files.createTempFile("proxy-" + node + "-", ".log").toFile());
        return b.start();
    }

    /** Waits until a request through the caller's proxy reaches the orders app. */
    private static void awaitRoute() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        String last = "nothing";
        while (System.currentTimeMillis() < deadline) {
            try {
                last = get(CALLER, "orders.shop.local");
                if (last.contains(" 200 ") || last.contains(" 503 ")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("no request went through the proxies within 60 s; the last answer: " + last);
    }

    /** One HTTP/1.1 request to a proxy's egress port, as an app sends it; the status line. */
    private static String get(String proxy, String host) throws IOException {
        try (Socket s = new Socket(proxy, 15001)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /orders HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.isEmpty() ? "empty answer" : response.substring(0, response.indexOf('\r') < 0 ? response.length()
                    : response.indexOf('\r'));
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
