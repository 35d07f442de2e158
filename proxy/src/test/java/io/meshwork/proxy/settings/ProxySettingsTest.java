package io.meshwork.proxy.settings;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The environment an App Mesh Envoy container was given works for the Meshwork proxy unchanged. */
class ProxySettingsTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void theEnvoyImagesVariablesNameTheResourceTheRegionAndTheAdminPort() {
        ProxySettings s = ProxySettings.fromEnvironment(env("APPMESH_VIRTUAL_NODE_NAME", "mesh/shop/virtualNode/orders",
                "ENVOY_ADMIN_ACCESS_PORT", "9911", "AWS_REGION", "eu-west-1"));
        assertEquals("orders", s.resource().name());
        assertEquals(9911, s.adminPort(), "a task definition that moved the admin port keeps its health check working");
        assertEquals("eu-west-1", s.region());
        assertEquals(15000, s.ingressPort());
        assertEquals(15001, s.egressPort());
        assertEquals(ProxySettings.Mode.SIDECAR, s.mode());
        assertEquals(9922, ProxySettings.fromEnvironment(env("APPMESH_RESOURCE_ARN", "mesh/shop/virtualNode/orders",
                "ENVOY_ADMIN_ACCESS_PORT", "9911", "PROXY_ADMIN_PORT", "9922")).adminPort(), "Meshwork's own name wins");
    }

    @Test
    void aSharedMeshIsNamedWithItsOwnerAndBecomesAFullArn() {
        ProxySettings s = ProxySettings.fromEnvironment(env("APPMESH_RESOURCE_ARN", "mesh/shop@111122223333/virtualNode/orders",
                "AWS_REGION", "us-west-2"));
        assertEquals("shop", s.resource().mesh());
        assertEquals("111122223333", s.resource().meshOwnerOrNull());
        assertEquals("arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/orders", s.resource().arn());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ResourceRef.parse("mesh/shop@owner/virtualNode/orders"));
        assertTrue(bad.getMessage().contains("12-digit"), bad.getMessage());
    }

    @Test
    void envoySettingsWithoutAMeshworkMeaningAreNamedNotSilentlyDropped() {
        List<String> ignored = EnvoyEnvironment.ignored(Map.of("ENABLE_ENVOY_DATADOG_TRACING", "1", "ENABLE_ENVOY_STATS_TAGS", "0",
                "APPMESH_XDS_ENDPOINT", "unix:///tmp/relay.sock", "ENVOY_LOG_LEVEL", "debug", "APPMESH_PREVIEW", "0",
                "ENABLE_ENVOY_XRAY_TRACING", "1", "XRAY_SAMPLING_RATE", "0.5", "ENABLE_ENVOY_JAEGER_TRACING", "1",
                "JAEGER_TRACER_PORT", "9411"));
        assertEquals(List.of("APPMESH_XDS_ENDPOINT=unix:///tmp/relay.sock (use PROXY_CONTROL_API_URL)", "ENABLE_ENVOY_DATADOG_TRACING=1"),
                ignored, "switched-off settings and the ones Meshwork honours (X-Ray and Jaeger tracing among them) are not listed");
    }

    @Test
    void aControlApiUrlNoProxyCouldCallIsRefusedAtStartNotAtTheFirstCall() {
        // Before, a URL without a host failed deep in the control-plane client with a stack trace.
        for (String url : List.of("127.0.0.1:8080", "ftp://control.example/", "http:/control", "http://exa mple/")) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ProxySettings.fromEnvironment(
                    env("APPMESH_RESOURCE_ARN", "mesh/shop/virtualNode/orders", "PROXY_CONTROL_API_URL", url)), url);
            assertTrue(bad.getMessage().startsWith("PROXY_CONTROL_API_URL must be an http:// or https:// URL"), bad.getMessage());
            assertTrue(bad.getMessage().contains(url), bad.getMessage());
        }
        assertEquals("https://control.example:8443", ProxySettings.fromEnvironment(env("APPMESH_RESOURCE_ARN",
                "mesh/shop/virtualNode/orders", "PROXY_CONTROL_API_URL", "https://control.example:8443")).controlApi().toString());
    }

    @Test
    void withoutProxyIdEachStartNamesItselfAfterItsNodeAndAddressPlusARandomPart() {
        Map<String, String> env = env("APPMESH_RESOURCE_ARN", "mesh/shop/virtualNode/orders", "PROXY_MODE", "local",
                "PROXY_LOCAL_ADDRESS", "127.0.0.9");
        String first = ProxySettings.fromEnvironment(env).proxyId();
        assertTrue(first.matches("orders-127\\.0\\.0\\.9-[0-9a-f]{8}"), first);
        assertNotEquals(first, ProxySettings.fromEnvironment(env).proxyId(), "two starts on one address register as two proxies");
    }
}
