package io.meshwork.proxy;

import io.meshwork.proxy.admin.AdminHandler;
import io.meshwork.proxy.config.ConfigWatcher;
import io.meshwork.proxy.settings.ProxySettings;
import io.meshwork.proxy.config.SnapshotApplier;
import io.meshwork.proxy.config.SnapshotFile;
import io.meshwork.proxy.control.ControlPlaneClient;
import io.meshwork.proxy.health.HealthChecks;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.tls.WorkloadIdentity;
import io.meshwork.proxy.health.HealthProbe;
import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.listener.ListenerManager;
import io.meshwork.proxy.listener.Transport;
import io.meshwork.proxy.observability.AccessLogWriter;
import io.meshwork.proxy.observability.ProcessLogging;
import io.meshwork.proxy.observability.ProxyMetrics;
import io.meshwork.proxy.observability.ResilienceLog;
import io.meshwork.proxy.observability.tracing.ProxyTracing;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Starts a Meshwork proxy for the virtual node or gateway named by {@code APPMESH_RESOURCE_ARN}:
 * admin port first, then the saved configuration (if any), then the control plane.
 */
public final class ProxyMain {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);

    private ProxyMain() {
    }

    public static void main(String[] args) {
        try {
            run(System.getenv());
        } catch (Throwable e) {
            // The event loops are running by now and are not daemons: without an exit a proxy that failed to
            // start would hang on, serving nothing, and never be restarted by its orchestrator.
            LOG.error("the proxy failed to start", e);
            System.exit(1);
        }
    }

    /** Runs a proxy configured by {@code env} (the process environment, or {@link CdsTraining}'s) until it is shut down. */
    static void run(Map<String, String> env) throws Exception {
        try {
            // ENVOY_LOG_LEVEL is what App Mesh task definitions set for the Envoy image.
            String level = env.get("PROXY_LOG_LEVEL");
            ProcessLogging.configure(level != null ? level : env.get("ENVOY_LOG_LEVEL"));
        } catch (IllegalArgumentException e) {
            System.err.println("meshwork proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Leak detection samples buffers on the request path; it is a debugging aid, off unless asked for.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        ProxySettings settings;
        try {
            settings = ProxySettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            System.err.println("meshwork proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("starting {}", settings);
        var ignored = io.meshwork.proxy.settings.EnvoyEnvironment.ignored(env);
        if (!ignored.isEmpty()) {
            LOG.warn("App Mesh Envoy settings this proxy does not support, ignored: {}", String.join(", ", ignored));
        }
        Transport transport;
        try {
            transport = Transport.fromEnvironment(env.get("PROXY_TRANSPORT"));
        } catch (IllegalArgumentException e) {
            System.err.println("meshwork proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (settings.mode() == ProxySettings.Mode.SIDECAR && (!transport.nativeSockets() || !io.meshwork.proxy.capture.OriginalDestination.available())) {
            LOG.error("sidecar mode cannot read where redirected connections were going (native sockets {}, libc {}): inbound"
                    + " connections go to the first listener and outbound ones are routed by Host only, so TCP backends and"
                    + " pass-through break. Cause: {}", transport.nativeSockets() ? "loaded" : "missing",
                    io.meshwork.proxy.capture.OriginalDestination.available() ? "loaded" : "missing",
                    whyOriginalDestinationsAreUnreadable(transport));
        }
        LOG.info("transport: {}", transport.kind());
        EventLoopGroup boss = transport.group(1);
        EventLoopGroup workers = transport.group(Math.max(1, Runtime.getRuntime().availableProcessors()));

        ProxyMetrics metrics = new ProxyMetrics(settings.resource().mesh(), settings.resource().kind(), settings.resource().name());
        AccessLogWriter accessLog = new AccessLogWriter(metrics);
        ExchangeObserver observer = new ExchangeObserver() {
            @Override
            public void completed(ExchangeRecord record) {
                metrics.completed(record);
                accessLog.completed(record);
            }

            @Override
            public boolean wants(ResponseFlag flags) {
                return metrics.wants(flags) || accessLog.wants(flags);
            }
        };
        ActiveConfig active = new ActiveConfig();
        ResilienceEvents events = new ResilienceLog(metrics);
        EventLoop housekeeping = workers.next();
        ClusterRegistry clusters = new ClusterRegistry(housekeeping, transport.datagrams(), settings.loadBalancing(), events);
        ControlPlaneClient client = new ControlPlaneClient(settings);
        WorkloadIdentity identity = new WorkloadIdentity(client::certificate, settings.resource().name());
        clusters.tls(new TlsContexts(identity));
        HealthChecks healthChecks = new HealthChecks(housekeeping, new HealthProbe(housekeeping, transport.sockets()), clusters,
                active, settings.appAddress(), events);
        DnsAddressResolverGroup resolver = new DnsAddressResolverGroup(transport.datagrams(),
                DnsServerAddressStreamProviders.platformDefault());
        UpstreamConnectors connectors = UpstreamConnectors.pooled(transport.sockets(), resolver);
        // Tracing from OTEL_* and App Mesh's ENABLE_ENVOY_*_TRACING; null (and free on the request path) when none is set.
        ProxyTracing tracing = ProxyTracing.fromEnvironment(env, settings.resource(), settings.proxyId());
        ListenerManager listeners = new ListenerManager(settings, transport, boss, workers, active, clusters, connectors,
                observer, metrics.traffic(), events, tracing);
        SnapshotApplier applier = new SnapshotApplier(settings.resource(), active, listeners, clusters, accessLog, metrics);
        SnapshotFile file = new SnapshotFile(settings.snapshotFile());
        client.appHealth(healthChecks::appHealthy);
        client.traffic(metrics.traffic()::report);
        ConfigWatcher watcher = new ConfigWatcher(client, applier, file);

        AdminHandler admin = new AdminHandler(settings, active, clusters, metrics, watcher, healthChecks, identity);
        Channel adminChannel;
        try {
            adminChannel = new ServerBootstrap().group(boss, workers).channelFactory(transport.servers())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), admin);
                        }
                    }).bind(new InetSocketAddress(settings.localAddress(), settings.adminPort())).syncUninterruptibly().channel();
        } catch (Exception e) { // a failed bind is Netty's NativeIoException, an IOException thrown unchecked
            System.err.println("meshwork proxy: cannot listen on the admin port " + settings.localAddress() + ":"
                    + settings.adminPort() + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("admin on {}", adminChannel.localAddress());

        watcher.restoreSaved();
        watcher.start();
        healthChecks.start();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            watcher.stop();
            try {
                client.deregister();
            } catch (Exception e) {
                LOG.debug("deregistering failed: {}", e.getMessage());
            } 
            listeners.closeAll();
            adminChannel.close();
            boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            if (tracing != null) {
                tracing.shutdown(2); // the spans of the last requests
            }
        }, "shutdown"));
        adminChannel.closeFuture().sync();
    }

    /** Why sidecar mode cannot read original destinations: libc, NIO chosen by the user, or native epoll missing. */
    private static String whyOriginalDestinationsAreUnreadable(Transport transport) {
        if (transport.nativeSockets()) {
            return "libc could not be loaded through JNA";
        }
        return io.netty.channel.epoll.Epoll.isAvailable() ? "PROXY_TRANSPORT=nio"
                : String.valueOf(io.netty.channel.epoll.Epoll.unavailabilityCause());
    }
}
