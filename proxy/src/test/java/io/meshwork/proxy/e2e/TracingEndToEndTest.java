package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.TestBackend;
import io.meshwork.proxy.support.TraceReceivers;
import io.meshwork.proxy.support.TraceReceivers.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.DurationUnit;
import software.amazon.awssdk.services.appmesh.model.HttpRetryPolicy;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tracing across two proxies, with real processes and real trace backends started by the test.
 * Three meshed pairs (a client node whose app — this test — calls a backend virtual service
 * served by a second node's proxy and app), each tracing another way: (a) OTLP/HTTP with the
 * default sampler; (b) App Mesh's switches, "Jaeger" (Zipkin v2) and X-Ray (UDP) at once, with
 * X-Ray's default 5 % sampling; (c) OTLP with sampling off.
 */
class TracingEndToEndTest {
    private static final String MESH = "trace";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static TraceReceivers.Otlp otlp;
    private static TraceReceivers.Otlp otlpUnsampled;
    private static TraceReceivers.Zipkin zipkin;
    private static TraceReceivers.XRay xray;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static ProxyProcess frontA;
    private static ProxyProcess frontB;

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        otlp = new TraceReceivers.Otlp();
        otlpUnsampled = new TraceReceivers.Otlp();
        zipkin = new TraceReceivers.Zipkin();
        xray = new TraceReceivers.XRay();
        appMesh.createMesh(r -> r.meshName(MESH));
        pair("a", "127.0.0.71", true);
        pair("b", "127.0.0.73", false);
        pair("c", "127.0.0.75", false);

        Map<String, String> a = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100");
        Map<String, String> b = Map.of("ENABLE_ENVOY_JAEGER_TRACING", "1", "JAEGER_TRACER_ADDRESS", "127.0.0.1",
                "JAEGER_TRACER_PORT", Integer.toString(zipkin.port()), "ENABLE_ENVOY_XRAY_TRACING", "1",
                "XRAY_DAEMON_PORT", Integer.toString(xray.port()), "OTEL_BSP_SCHEDULE_DELAY", "100");
        Map<String, String> c = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", otlpUnsampled.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100",
                "OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0");
        Map<String, String> cBack = new HashMap<>(c);
        cBack.put("OTEL_TRACES_SAMPLER", "always_off");
        Path data = Files.createTempDirectory("proxy-data-");
        List<ProxyProcess> proxies = List.of(
                frontA = proxy("front-a", "127.0.0.71", data, a), proxy("back-a", "127.0.0.72", data, a),
                frontB = proxy("front-b", "127.0.0.73", data, b), proxy("back-b", "127.0.0.74", data, b),
                proxy("front-c", "127.0.0.75", data, c), proxy("back-c", "127.0.0.76", data, cBack));
        running.addAll(proxies);
        running.add(TestBackend.http("back-a", "127.0.1.72", 8080));
        running.add(TestBackend.http("back-b", "127.0.1.74", 8080));
        running.add(TestBackend.http("back-c", "127.0.1.76", 8080));
        proxies.forEach(ProxyProcess::awaitReady);
    }

    /**
     * Nodes front-X (egress only) and back-X (listener 8080, found at {@code frontAddress}+1), and
     * the virtual service back-X.trace.local: through a router with retries when {@code router}.
     */
    private static void pair(String x, String frontAddress, boolean router) {
        String backAddress = frontAddress.substring(0, frontAddress.lastIndexOf('.') + 1)
                + (Integer.parseInt(frontAddress.substring(frontAddress.lastIndexOf('.') + 1)) + 1);
        String service = "back-" + x + ".trace.local";
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("back-" + x).spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname(backAddress)))));
        if (router) {
            appMesh.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("back-" + x).spec(s -> s.listeners(
                    l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))));
            HttpRetryPolicy retry = HttpRetryPolicy.builder().maxRetries(2L).httpRetryEvents("server-error")
                    .perRetryTimeout(d -> d.unit(DurationUnit.MS).value(5000L)).build();
            appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("back-" + x).routeName("all").spec(s -> s.httpRoute(h -> h
                    .match(m -> m.prefix("/")).retryPolicy(retry).action(act -> act.weightedTargets(t -> t.virtualNode("back-" + x).weight(1))))));
            appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(service)
                    .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("back-" + x)))));
        } else {
            appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(service)
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("back-" + x)))));
        }
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("front-" + x).spec(s -> s
                .backends(bk -> bk.virtualService(v -> v.virtualServiceName(service)))));
    }

    private static ProxyProcess proxy(String node, String address, Path data, Map<String, String> env) {
        return ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/" + node, address,
                address.replace("127.0.0.", "127.0.1."), data, env);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {otlp, otlpUnsampled, zipkin, xray}) {
            if (c != null) {
                c.close();
            }
        }
        appMesh.close();
        plane.close();
    }

    @Test
    void aCallersTraceparentLinksServerAndClientSpansAcrossBothProxies() {
        String traceId = hex(32);
        String callerSpan = hex(16);
        HttpResponse<String> response = new MeshHttp("127.0.0.71").send("GET", "back-a.trace.local", "/orders?id=7",
                Map.of("traceparent", "00-" + traceId + "-" + callerSpan + "-01", "tracestate", "vendor=kept"));
        assertEquals(200, response.statusCode(), response.body());

        List<Received> spans = otlp.await(s -> s.traceId().equals(traceId), 4, WAIT);
        assertEquals(4, spans.size(), "two spans per proxy: " + spans);
        Received server1 = only(spans, "SERVER", "front-a");
        Received client1 = only(spans, "CLIENT", "front-a");
        Received server2 = only(spans, "SERVER", "back-a");
        Received client2 = only(spans, "CLIENT", "back-a");
        assertEquals(callerSpan, server1.parentId(), "proxy 1's server span is the caller's span's child");
        assertEquals(server1.spanId(), client1.parentId(), "its client span is the server span's child");
        assertEquals(client1.spanId(), server2.parentId(), "proxy 2's server span is proxy 1's client span's child");
        assertEquals(server2.spanId(), client2.parentId());

        // The app sees the last hop's context, with the caller's tracestate carried along.
        assertEquals("00-" + traceId + "-" + client2.spanId() + "-01", response.headers().firstValue("x-seen-traceparent").orElse(null));
        assertEquals("vendor=kept", response.headers().firstValue("x-seen-tracestate").orElse(null), server1.raw() + server2.raw()
                + response.headers().map());

        assertEquals("GET", server1.attribute("http.request.method"));
        assertEquals("200", server1.attribute("http.response.status_code"));
        assertEquals("egress", server1.attribute("appmesh.direction"));
        assertEquals("/orders", server1.attribute("url.path"));
        assertEquals("back-a.trace.local", server1.attribute("server.address"));
        assertEquals("back-a/all", server1.attribute("appmesh.route"), "router/route");
        assertEquals("back-a", client1.attribute("appmesh.target"));
        assertEquals("127.0.0.72", client1.attribute("server.address"), "the upstream host");
        assertEquals("ingress", server2.attribute("appmesh.direction"));
        assertEquals("local_app", client2.attribute("appmesh.target"));
        assertEquals("127.0.1.72", client2.attribute("server.address"));
        assertEquals("trace", server1.resource().get("appmesh.mesh"));
        assertEquals("front-a", server1.resource().get("appmesh.virtual_node"));
        assertEquals("front-a", server1.resource().get("service.name"), "service.name defaults to the node's name");
        assertEquals("back-a", server2.resource().get("service.name"));
    }

    @Test
    void b3SingleAndMultiHeadersAreFollowedToo() {
        String single = hex(32);
        String singleParent = hex(16);
        MeshHttp app = new MeshHttp("127.0.0.71");
        assertEquals(200, app.send("GET", "back-a.trace.local", "/b3", Map.of("b3", single + "-" + singleParent + "-1")).statusCode());
        String multi = hex(32);
        String multiParent = hex(16);
        HttpResponse<String> response = app.send("GET", "back-a.trace.local", "/b3multi",
                Map.of("X-B3-TraceId", multi, "X-B3-SpanId", multiParent, "X-B3-Sampled", "1"));
        assertEquals(200, response.statusCode());

        List<Received> first = otlp.await(s -> s.traceId().equals(single), 4, WAIT);
        assertEquals(4, first.size(), first.toString());
        assertEquals(singleParent, only(first, "SERVER", "front-a").parentId());
        List<Received> second = otlp.await(s -> s.traceId().equals(multi), 4, WAIT);
        assertEquals(4, second.size(), second.toString());
        assertEquals(multiParent, only(second, "SERVER", "front-a").parentId());
        // Upstream requests carry B3 as well as W3C: the app sees the last client span in both.
        String lastClient = only(second, "CLIENT", "back-a").spanId();
        assertEquals(multi, response.headers().firstValue("x-seen-x-b3-traceid").orElse(null));
        assertEquals(lastClient, response.headers().firstValue("x-seen-x-b3-spanid").orElse(null));
        assertTrue(response.headers().firstValue("x-seen-b3").isEmpty(), "a stale single b3 header is not left behind");
    }

    @Test
    void eachRetryIsAClientSpanOfItsOwnUnderTheSameServerSpan() {
        String traceId = hex(32);
        HttpResponse<String> response = new MeshHttp("127.0.0.71").send("GET", "back-a.trace.local", "/status/503",
                Map.of("traceparent", "00-" + traceId + "-" + hex(16) + "-01"));
        assertEquals(503, response.statusCode());
        // 3 attempts (maxRetries 2): 1 server + 3 client spans on proxy 1, and 3 x (server + client) on proxy 2.
        List<Received> spans = otlp.await(s -> s.traceId().equals(traceId), 10, WAIT);
        assertEquals(10, spans.size(), spans.toString());
        Received server1 = only(spans, "SERVER", "front-a");
        List<Received> attempts = spans.stream().filter(s -> s.kind().equals("CLIENT") && s.resource().get("service.name").equals("front-a")).toList();
        assertEquals(3, attempts.size());
        for (Received attempt : attempts) {
            assertEquals(server1.spanId(), attempt.parentId());
            assertEquals("503", attempt.attribute("http.response.status_code"));
            assertEquals(1, spans.stream().filter(s -> attempt.spanId().equals(s.parentId()) && s.kind().equals("SERVER")).count(),
                    "each attempt reached proxy 2 as its own server span");
        }
        assertEquals(List.of("1", "2"), attempts.stream().map(s -> s.attribute("http.request.resend_count"))
                .filter(java.util.Objects::nonNull).sorted().toList());
        assertEquals("503", server1.attribute("http.response.status_code"));
    }

    @Test
    void withSamplingOffNothingIsSentButTheContextStillTravels() throws Exception {
        String traceId = hex(32);
        MeshHttp app = new MeshHttp("127.0.0.75");
        HttpResponse<String> sampledCaller = app.send("GET", "back-c.trace.local", "/", Map.of("traceparent", "00-" + traceId + "-" + hex(16) + "-01"));
        assertEquals(200, sampledCaller.statusCode());
        for (int i = 0; i < 20; i++) {
            assertEquals(200, app.get("back-c.trace.local", "/").statusCode());
        }
        // traceidratio 0 (not parent-based) on proxy 1, always_off on proxy 2: no span, whatever the caller decided.
        String seen = sampledCaller.headers().firstValue("x-seen-traceparent").orElseThrow();
        assertTrue(seen.startsWith("00-" + traceId + "-") && seen.endsWith("-00"), "the trace id goes on, marked unsampled: " + seen);
        Thread.sleep(1000); // the exporters' batches go out every 100 ms
        assertEquals(List.of(), otlpUnsampled.raw(), "nothing exported");
    }

    @Test
    void theJaegerSwitchSendsZipkinSpansLinkedParentToChild() {
        String traceId = hex(32);
        String callerSpan = hex(16);
        HttpResponse<String> response = new MeshHttp("127.0.0.73").send("POST", "back-b.trace.local", "/zipkin",
                Map.of("X-B3-TraceId", traceId, "X-B3-SpanId", callerSpan, "X-B3-Sampled", "1"), "{}");
        assertEquals(200, response.statusCode(), response.body() + frontB.output());
        List<Received> spans = zipkin.await(s -> s.traceId().equals(traceId), 4, WAIT);
        assertEquals(4, spans.size(), spans.toString());
        Received server1 = only(spans, "SERVER", "front-b");
        Received client1 = only(spans, "CLIENT", "front-b");
        Received server2 = only(spans, "SERVER", "back-b");
        Received client2 = only(spans, "CLIENT", "back-b");
        assertEquals(callerSpan, server1.parentId());
        assertEquals(server1.spanId(), client1.parentId());
        assertEquals(client1.spanId(), server2.parentId());
        assertEquals(server2.spanId(), client2.parentId());
        assertEquals("POST", server1.attribute("http.request.method"));
        assertEquals("trace", server1.attribute("appmesh.mesh"));
        assertTrue(zipkin.raw().get(0).startsWith("["), "a JSON array of v2 spans");
    }

    @Test
    void theXRaySwitchSendsSegmentsCarryingTheCallersRoot() {
        String root = "1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex(24);
        String callerSegment = hex(16);
        HttpResponse<String> response = new MeshHttp("127.0.0.73").send("GET", "back-b.trace.local", "/xray",
                Map.of("X-Amzn-Trace-Id", "Root=" + root + ";Parent=" + callerSegment + ";Sampled=1"));
        assertEquals(200, response.statusCode());
        List<Received> segments = xray.await(s -> s.traceId().equals(root), 4, WAIT);
        assertEquals(4, segments.size(), "sampled because the caller said so (XRAY_SAMPLING_RATE is 5 %): " + segments);
        assertEquals(List.of(), xray.malformed(), "every datagram is the header line, then a segment");
        Received server1 = segments.stream().filter(s -> s.kind().equals("SERVER") && "front-b".equals(s.resource().get("virtual_node_name"))).findFirst().orElseThrow();
        Received client1 = segments.stream().filter(s -> s.kind().equals("CLIENT") && "front-b".equals(s.resource().get("virtual_node_name"))).findFirst().orElseThrow();
        Received server2 = segments.stream().filter(s -> s.kind().equals("SERVER") && "back-b".equals(s.resource().get("virtual_node_name"))).findFirst().orElseThrow();
        Received client2 = segments.stream().filter(s -> s.kind().equals("CLIENT") && "back-b".equals(s.resource().get("virtual_node_name"))).findFirst().orElseThrow();
        assertEquals(callerSegment, server1.parentId());
        assertEquals(server1.spanId(), client1.parentId());
        assertEquals(client1.spanId(), server2.parentId());
        assertEquals(server2.spanId(), client2.parentId());
        assertEquals("trace/front-b", server1.name(), "segments are named mesh/node when XRAY_SEGMENT_NAME is not set");
        assertEquals("GET", server1.attribute("http.request.method"));
        assertEquals("200", server1.attribute("http.response.status"));
        assertEquals("http://back-b.trace.local/xray", server1.attribute("http.request.url"));
        assertTrue(Double.parseDouble(server1.attribute("end_time")) >= Double.parseDouble(server1.attribute("start_time")));
        // The app receives the header with the same root and the last client segment as parent.
        assertEquals("Root=" + root + ";Parent=" + client2.spanId() + ";Sampled=1",
                response.headers().firstValue("x-seen-x-amzn-trace-id").orElse(null));
        // The same spans went to the Jaeger (Zipkin) backend, under the same trace id.
        assertEquals(4, zipkin.await(s -> s.traceId().equals(root.substring(2).replace("-", "")), 4, WAIT).size());
    }

    @Test
    void eachProxySaysHowItTracesAndNoTracingSwitchIsReportedIgnored() {
        assertTrue(frontA.output().contains("tracing: exporters otlp"), frontA.output());
        String b = frontB.output();
        assertTrue(b.contains("X-Ray segments to 127.0.0.1:" + xray.port()) && b.contains("Zipkin spans to http://127.0.0.1:" + zipkin.port()), b);
        assertFalse(b.contains("tracing is off"), b);
        assertFalse(b.contains("ENABLE_ENVOY") || b.contains("XRAY_") || b.contains("JAEGER_"), "no tracing switch is reported ignored: " + b);
    }

    private static Received only(List<Received> spans, String kind, String node) {
        List<Received> found = spans.stream().filter(s -> s.kind().equals(kind) && node.equals(s.resource().get("service.name")))
                .toList();
        assertEquals(1, found.size(), kind + " spans of " + node + " in " + spans);
        return found.get(0);
    }

    private static String hex(int digits) {
        StringBuilder out = new StringBuilder();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (out.length() < digits) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        if (out.chars().allMatch(c -> c == '0')) {
            out.setCharAt(0, '1');
        }
        return out.toString();
    }
}
