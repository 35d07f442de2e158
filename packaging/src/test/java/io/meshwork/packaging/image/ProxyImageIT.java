package io.meshwork.packaging.image;

import io.meshwork.packaging.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy image (proxy/target/meshwork-proxy-image.tar) in place of App Mesh's Envoy image: run by
 * runc as an ECS task or EKS pod would run it (its own user, a read-only root file system with /tmp
 * writable, App Mesh's variables), next to the control API image in one network namespace. The ECS
 * health check from existing task definitions runs inside it, and the same image serves as the init
 * container that installs the redirect rules. Root-only; skips elsewhere.
 */
class ProxyImageIT {
    static final String NODE = "mesh/images/virtualNode/front";
    /** The health check of every App Mesh task definition (CMD-SHELL, run by the image's sh). */
    static final String HEALTH_CHECK = "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE";

    @TempDir
    static Path work;
    static NetworkNamespace ns;
    static ControlApiContainer api;
    static Bundle proxyBundle;
    static Container proxy;
    static int healthCheckBeforeTheNodeExisted;

    @BeforeAll
    static void start() {
        ImageHost.assumeImagesRunnable("ProxyImageIT", "control-api", "proxy");
        ns = NetworkNamespace.create();
        api = ControlApiContainer.start(work.resolve("control-api"), ns);
        proxyBundle = Bundle.unpack(ImageHost.archive("proxy"), work.resolve("proxy"))
                .network(ns)
                .readOnlyRootWithTmpfsTmp()
                .env("APPMESH_RESOURCE_ARN", NODE)
                .env("PROXY_CONTROL_API_URL", "http://127.0.0.1:8080")
                .env("AWS_ACCESS_KEY_ID", ControlApiContainer.KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", ControlApiContainer.SECRET);
        proxy = Container.start(proxyBundle, "mw-proxy");

        // The proxy is up before its node exists (as a task may start before Terraform created the node).
        awaitAdminPort();
        healthCheckBeforeTheNodeExisted = proxy.exec("sh", "-c", HEALTH_CHECK).exitCode();
        try (AppMeshClient appMesh = api.client()) {
            appMesh.createMesh(b -> b.meshName("images"));
            appMesh.createVirtualNode(b -> b.meshName("images").virtualNodeName("front").spec(s -> s
                    .listeners(l -> l.portMapping(p -> p.port(9080).protocol("http")))
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname("front.images.local")))));
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable running : new AutoCloseable[] {proxy, api, ns}) {
            try {
                if (running != null) {
                    running.close();
                }
            } catch (Exception e) {
                // go on cleaning up the others
            }
        }
    }

    @Test
    void theEcsHealthCheckFailsUntilTheProxyHasItsNodesConfigurationThenPasses() {
        assertNotEquals(0, healthCheckBeforeTheNodeExisted, "no configuration yet: not LIVE");

        awaitHealthy();
    }

    @Test
    void runsAsUid1337ForTheNodeNamedByAppmeshResourceArn() {
        awaitHealthy();

        assertEquals("Uid:\t1337\t1337\t1337\t1337", proxy.status("Uid:"));
        assertFalse(proxy.log().contains("sidecar mode cannot read where redirected connections were going"),
                "native epoll and JNA load in the image, so sidecar mode reads original destinations: " + proxy.log());
        String serverInfo = proxy.exec("curl", "-s", "http://localhost:9901/server_info").check().output();
        assertTrue(serverInfo.contains("\"resource\" : \"" + NODE + "\""), serverInfo);
    }

    @Test
    void startsFromTheClassDataArchiveTheImageWasBuiltWith() throws Exception {
        awaitHealthy();

        // Made by the image's own JVM for the image's class path (packaging/image-class-data): mapped, not
        // skipped as an archive from another JVM or for other jars would be.
        String maps = Files.readString(Path.of("/proc", Long.toString(proxy.pid()), "maps"));
        assertTrue(maps.contains("/opt/meshwork/proxy/proxy.jsa"), "the proxy maps the image's class-data archive:\n"
                + proxy.log());
        assertFalse(proxy.log().contains("[cds]"), "no warning from the JVM about the archive: " + proxy.log());
    }

    @Test
    void savesItsConfigurationUnderTmpWhenTheRootFileSystemIsReadOnly() {
        awaitHealthy();

        String saved = proxy.exec("ls", "/tmp/meshwork-proxy-1337").check().output();
        assertTrue(saved.contains("images_virtualNode_front"), "the last good configuration is saved: " + saved);
        assertTrue(proxy.log().contains("PROXY_DATA_DIR=/tmp/meshwork-proxy-1337"), "the launcher says where it keeps it");
    }

    @Test
    void theSameImageAsRootWithNetAdminIsTheInitContainerThatRedirectsOutboundTrafficToTheProxy() {
        awaitHealthy();
        // Nothing listens on the host side at port 9: without the rules the connection is refused.
        String outbound = "http://" + ns.hostAddress() + ":9/";
        assertEquals("000", curlStatus(outbound), "no rules yet: refused");

        Bundle init = proxyBundle.sibling(work.resolve("proxy-init"))
                .process(0, new String[] {"CAP_NET_ADMIN"}, "proxy-init")
                .env("APPMESH_APP_PORTS", "9080")
                .env("APPMESH_EGRESS_IGNORED_IP", "169.254.169.254,169.254.170.2");
        try {
            var enabled = Container.runToEnd(init, "mw-proxy-init");
            assertEquals(0, enabled.exitCode(), enabled.output());

            assertNotEquals("000", curlStatus(outbound), "redirected to the proxy's egress port, which answers");
            assertTrue(ns.exec("iptables", "-t", "nat", "-S", "APPMESH_INGRESS").output().contains("--dports 9080"));
        } finally {
            var disabled = Container.runToEnd(init.process(0, new String[] {"CAP_NET_ADMIN"}, "proxy-init", "disable"), "mw-proxy-init");
            assertEquals(0, disabled.exitCode(), disabled.output());
        }
        assertEquals("000", curlStatus(outbound), "rules removed: refused again");
    }

    /** What an app in the task (root, not uid 1337) gets when it calls {@code url}: "000" when nobody answers. */
    private static String curlStatus(String url) {
        return ns.exec("curl", "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}", url).output().trim();
    }

    private static void awaitAdminPort() {
        Await.until(Duration.ofSeconds(60), () -> proxy.exec("curl", "-s", "-o", "/dev/null", "http://localhost:9901/server_info")
                .exitCode() == 0, () -> "no admin port; proxy log:\n" + proxy.log());
    }

    private static void awaitHealthy() {
        Await.until(Duration.ofSeconds(60), () -> proxy.exec("sh", "-c", HEALTH_CHECK).exitCode() == 0,
                () -> "the ECS health check still fails; proxy log:\n" + proxy.log());
    }
}
