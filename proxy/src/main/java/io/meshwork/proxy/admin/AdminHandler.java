package io.meshwork.proxy.admin;

import io.meshwork.proxy.tls.Identity;
import io.meshwork.proxy.tls.SubjectNames;
import io.meshwork.proxy.tls.WorkloadIdentity;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxy.config.ConfigWatcher;
import io.meshwork.proxy.settings.ProxySettings;
import io.meshwork.proxy.observability.ProxyMetrics;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.health.HealthChecks;
import io.meshwork.proxy.upstream.ClusterRuntime;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.SnapshotJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * The admin port, with the paths App Mesh's Envoy served and users' health checks and
 * dashboards call: {@code /ready}, {@code /server_info} (whose {@code "state": "LIVE"} ECS task
 * health checks grep for), {@code /stats/prometheus}, {@code /config_dump}, {@code /clusters}.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ProxySettings settings;
    private final ActiveConfig active;
    private final ClusterRegistry clusters;
    private final ProxyMetrics metrics;
    private final ConfigWatcher watcher;
    private final HealthChecks health;
    private final WorkloadIdentity identity;

    public AdminHandler(ProxySettings settings, ActiveConfig active, ClusterRegistry clusters, ProxyMetrics metrics,
                        ConfigWatcher watcher, HealthChecks health, WorkloadIdentity identity) {
        this.identity = identity;
        this.health = health;
        this.settings = settings;
        this.active = active;
        this.clusters = clusters;
        this.metrics = metrics;
        this.watcher = watcher;
        certificateMetrics();
    }

    /** The workload certificate in force (Envoy's /certs, in short): serial, names, validity; never the key. */
    private com.fasterxml.jackson.databind.node.ObjectNode certs() {
        var out = io.meshwork.proxyapi.SnapshotJson.mapper().createObjectNode();
        Identity id = identity == null ? null : identity.current();
        var list = out.putArray("certificates");
        if (id != null) {
            long now = System.currentTimeMillis();
            var c = list.addObject();
            c.put("serial", id.serial());
            var names = c.putArray("subjectAlternativeNames");
            SubjectNames.of(id.leaf()).forEach(names::add);
            c.put("issuer", id.leaf().getIssuerX500Principal().getName());
            c.put("notBefore", id.leaf().getNotBefore().getTime() / 1000.0);
            c.put("notAfter", id.notAfterMillis() / 1000.0);
            c.put("secondsLeft", Math.max(0, (id.notAfterMillis() - now) / 1000));
            c.put("expiringSoon", expiringSoon(id, now));
            c.put("caCertificates", id.chain().size() - 1);
            // Which root the chain hangs from: the top certificate's authority key identifier (roots share a name across rotations).
            byte[] aki = id.chain().get(id.chain().size() - 1).getExtensionValue("2.5.29.35");
            c.put("rootKeyId", aki == null ? "" : java.util.HexFormat.of().formatHex(aki));
            c.put("trustBundleCertificates", id.trustBundle().size());
        }
        return out;
    }

    /** Within the last 10 % of its lifetime: renewal (due at two thirds) has been failing. */
    private static boolean expiringSoon(Identity id, long now) {
        return id.notAfterMillis() - now <= id.lifetimeMillis() / 10;
    }

    /** The workload certificate's expiry in /stats/prometheus, read when scraped; nothing before there is one. */
    private void certificateMetrics() {
        metrics.gauge("meshwork_certificate_expiry_timestamp_seconds", "When the workload certificate expires (epoch seconds)", cb -> {
            Identity id = identity == null ? null : identity.current();
            if (id != null) {
                cb.call(id.notAfterMillis() / 1000, id.serial());
            }
        }, "serial");
        metrics.gauge("meshwork_certificate_expiring", "1 when the workload certificate is in the last 10 % of its lifetime", cb -> {
            Identity id = identity == null ? null : identity.current();
            if (id != null) {
                cb.call(expiringSoon(id, System.currentTimeMillis()) ? 1 : 0);
            }
        });
    }

    /** Prometheus text, or OpenMetrics when the scraper's Accept header asks for it (Prometheus 2.5+ does). */
    private FullHttpResponse stats(FullHttpRequest request) {
        ExpositionFormatWriter writer = ProxyMetrics.writerFor(request.headers().get(HttpHeaderNames.ACCEPT));
        ByteBuf body = Unpooled.buffer(16 * 1024);
        try {
            metrics.write(writer, new ByteBufOutputStream(body));
        } catch (IOException | RuntimeException e) {
            body.release();
            return text(500, "stats could not be written: " + e + "\n");
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
        HttpUtil.setContentLength(response, body.readableBytes());
        return response;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        FullHttpResponse response = switch (uri.path()) {
            case "/ready" -> ready();
            case "/server_info" -> json(200, serverInfo());
            case "/stats/prometheus", "/stats" -> stats(request);
            case "/certs" -> json(200, certs());
            case "/config_dump" -> configDump();
            case "/clusters" -> uri.parameters().containsKey("format") ? json(200, clustersJson()) : text(200, clustersText());
            default -> text(404, "unknown admin path; try /ready /server_info /stats/prometheus /config_dump /clusters /certs\n");
        };
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var write = ctx.writeAndFlush(response);
        if (!keepAlive) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Ready = a configuration in force and an app that passes its listeners' health checks. */
    private FullHttpResponse ready() {
        if (!active.isReady()) {
            return text(503, "INITIALIZING\n");
        }
        if (!health.appHealthy()) {
            StringBuilder why = new StringBuilder("APP UNHEALTHY\n");
            health.appProblems().forEach((port, problem) -> why.append("listener ").append(port).append(": ").append(problem)
                    .append('\n'));
            return text(503, why.toString());
        }
        return text(200, "LIVE\n");
    }

    private ObjectNode serverInfo() {
        ObjectNode info = SnapshotJson.mapper().createObjectNode();
        info.put("state", active.isReady() ? "LIVE" : "INITIALIZING");
        info.put("resource", settings.resource().toString());
        info.put("proxyId", settings.proxyId());
        info.put("configVersion", watcher.runningVersion());
        info.put("controlPlaneReachable", watcher.controlPlaneReachable());
        info.put("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
        return info;
    }

    private FullHttpResponse configDump() {
        RuntimeConfig current = active.get();
        if (current == null) {
            return text(503, "no configuration yet\n");
        }
        ObjectNode dump = SnapshotJson.mapper().createObjectNode();
        dump.put("version", current.version());
        if (watcher.rejectedVersion() != null || watcher.rejectedReason() != null) {
            dump.putObject("lastRejected").put("version", watcher.rejectedVersion()).put("reason", watcher.rejectedReason());
        }
        try {
            dump.set("snapshot", SnapshotJson.mapper().readTree(current.json()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return json(200, dump);
    }

    /**
     * Envoy's /clusters lines, per instance and listener port: health flags
     * ({@code healthy}, {@code /failed_active_hc}, {@code /failed_outlier_check}, and ours,
     * {@code /failed_connect}: set aside for refusing connections), requests in flight and how
     * often outlier detection ejected it.
     */
    private String clustersText() {
        StringBuilder sb = new StringBuilder();
        for (ClusterRuntime c : clusters.all().values()) {
            for (Listener l : c.cluster().listeners()) {
                for (EndpointState e : c.endpointStates(l.port())) {
                    String prefix = c.name() + "::" + e + "::";
                    sb.append(prefix).append("health_flags::").append(flags(e)).append('\n');
                    sb.append(prefix).append("rq_active::").append(e.activeRequests()).append('\n');
                    sb.append(prefix).append("ejections::").append(e.ejections()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static String flags(EndpointState e) {
        String flags = (e.healthy() ? "" : "/failed_active_hc") + (e.ejected() ? "/failed_outlier_check" : "")
                + (e.connectBackedOff(System.nanoTime()) ? "/failed_connect" : "");
        return flags.isEmpty() ? "healthy" : flags;
    }

    private ObjectNode clustersJson() {
        ObjectNode out = SnapshotJson.mapper().createObjectNode();
        ArrayNode list = out.putArray("clusters");
        for (ClusterRuntime c : clusters.all().values()) {
            ObjectNode node = list.addObject().put("name", c.name());
            ArrayNode endpoints = node.putArray("endpoints");
            for (Listener l : c.cluster().listeners()) {
                for (EndpointState e : c.endpointStates(l.port())) {
                    endpoints.addObject().put("address", e.address().getAddress().getHostAddress()).put("port", e.address().getPort())
                            .put("protocol", l.protocol().wireName()).put("healthy", e.healthy()).put("ejected", e.ejected())
                            .put("activeRequests", e.activeRequests()).put("ejections", e.ejections())
                            .put("connectFailing", e.connectBackedOff(System.nanoTime()));
                }
            }
        }
        return out;
    }

    private static FullHttpResponse text(int status, String body) {
        return response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse json(int status, ObjectNode body) {
        try {
            return response(status, "application/json", SnapshotJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse response(int status, String type, byte[] body) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }
}
