package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.ConnectionPool;
import io.meshwork.proxyapi.HealthCheck;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.OutlierDetection;
import io.meshwork.proxyapi.Timeouts;

import java.util.ArrayList;
import java.util.List;

/** Node and gateway listeners: port, protocol, timeouts, connection pool, health check, outlier detection, TLS. */
final class ListenerCompiler {
    private ListenerCompiler() {
    }

    static List<Listener> listeners(JsonNode spec) {
        List<Listener> out = new ArrayList<>();
        spec.path("listeners").forEach(l -> out.add(listener(l)));
        return out;
    }

    static Listener listener(JsonNode l) {
        int port = l.path("portMapping").path("port").asInt();
        Protocol protocol = Protocol.of(l.path("portMapping").path("protocol").asText());
        return new Listener(port, protocol, timeouts(l.path("timeout").path(protocol.wireName())), pool(l.path("connectionPool")),
                healthCheck(l.path("healthCheck")), outlier(l.path("outlierDetection")), TlsCompiler.server(l.path("tls")));
    }

    static Timeouts timeouts(JsonNode timeout) {
        if (!timeout.isObject()) {
            return null;
        }
        Long perRequest = Durations.millis(timeout.get("perRequest"));
        Long idle = Durations.millis(timeout.get("idle"));
        return perRequest == null && idle == null ? null : new Timeouts(perRequest, idle);
    }

    private static ConnectionPool pool(JsonNode pool) {
        if (!pool.isObject() || pool.isEmpty()) {
            return null;
        }
        JsonNode limits = pool.elements().next();
        return new ConnectionPool(intOrNull(limits.get("maxConnections")), intOrNull(limits.get("maxPendingRequests")),
                intOrNull(limits.get("maxRequests")));
    }

    private static HealthCheck healthCheck(JsonNode hc) {
        if (!hc.isObject()) {
            return null;
        }
        return new HealthCheck(Protocol.of(hc.path("protocol").asText()), intOrNull(hc.get("port")),
                hc.has("path") ? hc.get("path").asText() : null, hc.path("intervalMillis").asLong(),
                hc.path("timeoutMillis").asLong(), hc.path("healthyThreshold").asInt(), hc.path("unhealthyThreshold").asInt());
    }

    private static OutlierDetection outlier(JsonNode od) {
        if (!od.isObject()) {
            return null;
        }
        return new OutlierDetection(od.path("maxServerErrors").asLong(), Durations.millis(od.get("interval")),
                Durations.millis(od.get("baseEjectionDuration")), od.path("maxEjectionPercent").asInt());
    }

    private static Integer intOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asInt();
    }
}
