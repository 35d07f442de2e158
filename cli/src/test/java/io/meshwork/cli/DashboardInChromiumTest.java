package io.meshwork.cli;

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

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in real Chromium (Debian's chromium and chromium-driver, which .ci/run installs):
 * it signs in through the URL {@code meshwork dashboard --url} prints, draws the mesh, and its
 * numbers move while traffic flows. The traffic comes from heartbeats with growing traffic
 * reports, as proxies send them, so every number is known (DashboardWithRealProxiesTest runs real ones).
 * Screenshots go to target/dashboard-screenshots/. Without chromium the test fails saying how to
 * install it, unless MESHWORK_REQUIRE_CHROMIUM=false.
 */
class DashboardInChromiumTest {
    private static final String FRONTEND_TO_CATALOG = "virtualNode/frontend>virtualService/catalog.shop.local";

    private static LiveMesh mesh;
    private static ScheduledExecutorService traffic;
    private static final AtomicLong rounds = new AtomicLong(1);

    @BeforeAll
    static void start() throws Exception {
        mesh = new LiveMesh(Map.of());
        long started = System.currentTimeMillis() - 10_000;
        mesh.healthyProxy("frontend-1", "virtualNode/frontend", LiveMesh.frontendTraffic(started, 1, 1));
        mesh.healthyProxy("catalog-v1-1", "virtualNode/catalog-v1", LiveMesh.inboundTraffic(started, 1, 90));
        mesh.healthyProxy("ingress-1", "virtualGateway/ingress", null);
        String current = mesh.currentVersion("catalog-v2-1", "virtualNode/catalog-v2");
        mesh.heartbeat("catalog-v2-1", "virtualNode/catalog-v2", null, current, "listener 8080: certificate file cannot be read", null);
        // Every 1.2 s, as proxies heartbeat (faster than the real ≤5 s, to keep the test short): a
        // varying amount of traffic, so the rates the dashboard shows change from one window to the next.
        traffic = Executors.newSingleThreadScheduledExecutor();
        traffic.scheduleWithFixedDelay(() -> {
            long n = rounds.addAndGet(1 + rounds.get() % 4);
            try {
                mesh.healthyProxy("frontend-1", "virtualNode/frontend", LiveMesh.frontendTraffic(started, n, 1 + n % 3));
                mesh.healthyProxy("catalog-v1-1", "virtualNode/catalog-v1", LiveMesh.inboundTraffic(started, n, 90));
            } catch (Exception e) {
                System.err.println("heartbeat failed: " + e);
            }
        }, 1200, 1200, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() {
        if (traffic != null) {
            traffic.shutdownNow();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void signsInWithTheCliUrlShowsTheTopologyAndItsNumbersMoveWithTraffic() throws Exception {
        LiveMesh.Run run = mesh.cli("dashboard", "--url");
        assertEquals(0, run.exitCode(), run.toString());
        String url = run.out().trim();
        WebDriver browser = Chromium.start();
        try {
            browser.get(url);
            // The page redraws every 2 s: an element found before a redraw is stale after it; look again.
            WebDriverWait wait = (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class);
            wait.until(b -> b.getCurrentUrl().endsWith("/dashboard/"));
            assertFalse(browser.getCurrentUrl().contains("token="), "the token leaves the address bar");
            wait.until(b -> !b.findElements(By.cssSelector("g.vertex[data-id='virtualNode/frontend']")).isEmpty());
            for (String id : List.of("virtualGateway/ingress", "virtualService/frontend.shop.local", "virtualService/catalog.shop.local",
                    "virtualRouter/catalog", "virtualNode/catalog-v1", "virtualNode/catalog-v2")) {
                assertFalse(browser.findElements(By.cssSelector("g.vertex[data-id='" + id + "']")).isEmpty(), id + " is drawn");
            }
            String label = wait.until(b -> {
                List<WebElement> l = b.findElements(By.cssSelector("text.label[data-edge='" + FRONTEND_TO_CATALOG + "']"));
                return l.isEmpty() || !l.get(0).getText().contains("rps") ? null : l.get(0).getText();
            });
            assertTrue(label.matches("[\\d.]+ rps · [\\d.]+ % · p99 [\\d.]+ ms"), label);
            Chromium.screenshot(browser, "1-signed-in");

            String first = label;
            String moved = wait.until(b -> {
                String now = b.findElement(By.cssSelector("text.label[data-edge='" + FRONTEND_TO_CATALOG + "']")).getText();
                return now.equals(first) ? null : now;
            });
            assertNotEquals(first, moved);
            Chromium.screenshot(browser, "2-traffic-moved");

            String proxies = wait.until(b -> b.findElement(By.id("proxies")).getText());
            assertTrue(proxies.contains("frontend-1") && proxies.contains("up to date"), proxies);
            String refusing = wait.until(b -> b.findElement(By.cssSelector("tr[data-proxy='catalog-v2-1']")).getText());
            assertTrue(refusing.contains("certificate file cannot be read"), refusing);
            String health = wait.until(b -> b.findElement(By.id("health")).getText());
            assertTrue(health.contains("h2 · healthy") && health.contains("1 refusing"), health);
            String routes = wait.until(b -> b.findElement(By.id("routes")).getText());
            assertTrue(routes.contains("catalog/canary"), routes);

            // The sign-in URL worked once: a second browser with no session lands on how to sign in.
            WebDriver other = Chromium.start();
            try {
                other.get(url);
                assertTrue(other.findElement(By.id("signed-out-message")).getText().contains("already used"));
                other.get(mesh.endpoint() + "dashboard/");
                assertTrue(other.getCurrentUrl().endsWith("/dashboard/signed-out"), other.getCurrentUrl());
                Chromium.screenshot(other, "3-without-a-session");
            } finally {
                other.quit();
            }
        } finally {
            browser.quit();
        }
    }
}
