package io.meshwork.proxy.observability;

import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.TrafficReport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficMetersTest {
    private final ProxyMetrics metrics = new ProxyMetrics("shop", "virtualNode", "front");
    private final TrafficMeters traffic = metrics.traffic();

    @Test
    void oneEdgeIsOneMeterWhoeverAsksForIt() {
        TrafficEdge edge = TrafficEdge.outbound("egress", "api.shop.local", "api-router/api-route", "api-v1", Protocol.HTTP);
        assertSame(traffic.meter(edge), traffic.meter(TrafficEdge.outbound("egress", "api.shop.local", "api-router/api-route",
                "api-v1", Protocol.HTTP)));
    }

    @Test
    void requestsShowInTheExpositionByEdgeAndStatusClassWithCumulativeBuckets() {
        TrafficMeter meter = traffic.meter(TrafficEdge.outbound("egress", "api.shop.local", "api-router/api-route", "api-v1", Protocol.HTTP));
        meter.request(200, 300_000, 10, 20);       // 0.3 ms
        meter.request(200, 3_000_000, 0, 20);      // 3 ms
        meter.request(503, 40_000_000_000L, 0, 5); // 40 s: beyond every bound
        meter.retried("503");

        PrometheusText stats = PrometheusText.parse(metrics.prometheusText());
        String[] edge = {"mesh", "shop", "virtual_node", "front", "direction", "egress", "virtual_service", "api.shop.local",
                "route", "api-router/api-route", "cluster", "api-v1"};
        assertEquals(2, stats.value("meshwork_requests_total", with(edge, "code_class", "2xx")));
        assertEquals(1, stats.value("meshwork_requests_total", with(edge, "code_class", "5xx")));
        assertEquals(1, stats.value("meshwork_upstream_retries_total", with(edge, "reason", "503")));
        assertEquals(10, stats.value("meshwork_received_bytes_total", edge));
        assertEquals(45, stats.value("meshwork_sent_bytes_total", edge));
        assertEquals("histogram", stats.type("meshwork_request_duration_seconds"));
        assertEquals(1, stats.value("meshwork_request_duration_seconds_bucket", with(edge, "le", "5.0E-4")));
        assertEquals(1, stats.value("meshwork_request_duration_seconds_bucket", with(edge, "le", "0.0025")));
        assertEquals(2, stats.value("meshwork_request_duration_seconds_bucket", with(edge, "le", "0.005")));
        assertEquals(2, stats.value("meshwork_request_duration_seconds_bucket", with(edge, "le", "30.0")));
        assertEquals(3, stats.value("meshwork_request_duration_seconds_bucket", with(edge, "le", "+Inf")));
        assertEquals(3, stats.value("meshwork_request_duration_seconds_count", edge));
        assertEquals(40.0033, stats.value("meshwork_request_duration_seconds_sum", edge), 1e-9);
    }

    @Test
    void theReportCarriesTheSameCountsInItsOwnBucketsAndOnlyEdgesWithTraffic() {
        TrafficMeter api = traffic.meter(TrafficEdge.outbound("egress", "api.shop.local", "api-router/api-route", "api-v1", Protocol.HTTP));
        traffic.meter(TrafficEdge.outbound("egress", "idle.shop.local", "idle-router/r", "idle", Protocol.HTTP));
        TrafficMeter inbound = traffic.meter(TrafficEdge.inbound(8080, Protocol.TCP));
        api.request(200, 300_000, 10, 20);     // 0.3 ms: the report's first bucket (≤ 1 ms) with what took 0.5–1 ms
        api.request(200, 900_000, 0, 20);
        api.request(404, 12_000_000, 0, 9);    // 12 ms: ≤ 25 ms
        api.request(503, 40_000_000_000L, 0, 0); // overflow
        api.retried("reset");
        api.opened();
        traffic.ejected("api-v1");
        inbound.opened();
        inbound.received(5);
        inbound.sent(7);
        inbound.closed();
        inbound.tcpConnectionEnded(2_000_000_000L);

        TrafficReport report = traffic.report();
        assertEquals(2, report.edges().size(), "idle edges stay out: " + report.edges());
        TrafficReport.Edge out = report.edges().stream().filter(e -> e.direction().equals("outbound")).findFirst().orElseThrow();
        assertEquals(List.of("api.shop.local", "api-router/api-route", "api-v1", "http"),
                List.of(out.destination(), out.route(), out.target(), out.protocol()));
        assertEquals(4, out.requests());
        assertArrayEquals(new long[] {0, 2, 0, 1, 1}, out.responsesByClass());
        long[] buckets = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        buckets[0] = 2;
        buckets[4] = 1;
        buckets[buckets.length - 1] = 1;
        assertArrayEquals(buckets, out.latencyBuckets());
        assertEquals(300 + 900 + 12_000 + 40_000_000_000L / 1000, out.latencySumMicros());
        assertEquals(List.of(1L, 10L, 49L, 1L, 1L), List.of(out.connections(), out.bytesReceived(), out.bytesSent(), out.retries(),
                out.ejections()));
        TrafficReport.Edge in = report.edges().stream().filter(e -> e.direction().equals("inbound")).findFirst().orElseThrow();
        assertEquals("8080", in.destination());
        assertEquals("tcp", in.protocol());
        assertEquals(0, in.requests());
        assertEquals(List.of(1L, 5L, 7L), List.of(in.connections(), in.bytesReceived(), in.bytesSent()));
        assertEquals(1, in.latencyBuckets()[10], "2 s lifetime: the ≤ 2.5 s bucket");
    }

    @Test
    void theReportBucketsAreAllBoundsOfTheProxysOwn() {
        int[] map = TrafficMeters.reportBuckets(TrafficMeter.BOUNDS_SECONDS, TrafficReport.LATENCY_BOUNDS_MILLIS);
        assertEquals(0, map[0]);
        assertEquals(0, map[1]);
        assertEquals(TrafficReport.LATENCY_BOUNDS_MILLIS.length - 1, map[TrafficMeter.BOUNDS_SECONDS.length - 1]);
        assertEquals(TrafficReport.LATENCY_BOUNDS_MILLIS.length, map[TrafficMeter.BOUNDS_SECONDS.length]);
    }

    @Test
    void aServicesHttpAndTcpTrafficOnOneRouteAndTargetAreTwoSeries() {
        traffic.meter(TrafficEdge.outbound("egress", "b.local", "implicit", "b", Protocol.HTTP)).request(200, 1_000, 1, 2);
        TrafficMeter tcp = traffic.meter(TrafficEdge.outbound("egress", "b.local", "implicit", "b", Protocol.TCP));
        tcp.opened();
        tcp.received(3);

        PrometheusText stats = PrometheusText.parse(metrics.prometheusText());
        assertEquals(1, stats.value("meshwork_received_bytes_total", "virtual_service", "b.local", "protocol", "http"));
        assertEquals(3, stats.value("meshwork_received_bytes_total", "virtual_service", "b.local", "protocol", "tcp"));
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        traffic.meter(TrafficEdge.inbound(8080, Protocol.HTTP)).request(200, 1_000_000, 0, 2);
        var writer = ProxyMetrics.writerFor("application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;version=0.0.4;q=0.5");
        assertTrue(writer.getContentType().startsWith("application/openmetrics-text"), writer.getContentType());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(writer, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("# EOF\n"), text);
        assertTrue(ProxyMetrics.writerFor("text/plain").getContentType().startsWith("text/plain; version=0.0.4"));
        assertTrue(ProxyMetrics.writerFor(null).getContentType().startsWith("text/plain; version=0.0.4"));
    }

    private static String[] with(String[] labels, String... more) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + more.length);
        System.arraycopy(more, 0, out, labels.length, more.length);
        return out;
    }
}
