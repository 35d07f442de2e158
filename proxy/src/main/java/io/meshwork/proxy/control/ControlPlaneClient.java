package io.meshwork.proxy.control;

import io.meshwork.proxy.settings.ProxySettings;
import io.meshwork.proxyapi.CertificateRequest;
import io.meshwork.proxyapi.ProxyReport;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.TrafficReport;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.meshwork.proxyapi.login.ControlApiHttpClient;
import io.meshwork.proxyapi.login.SignedControlApiClient;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The proxy's side of the data-plane protocol (docs/data-plane-protocol.md): long-poll for the
 * snapshot, report what runs, deregister. Every call is SigV4-signed, with service name
 * {@code appmesh}, as App Mesh's Envoy signed its xDS stream: with a Meshwork key found by the
 * standard AWS credential chain, or, when the chain finds AWS credentials (a task role, IRSA,
 * Pod Identity, an instance profile), with the session those log in to
 * ({@link ControlApiCredentialsProvider}).
 */
public final class ControlPlaneClient {
    /** A fetched snapshot: its version and its JSON. */
    public record Fetched(String version, byte[] json) {
    }

    /** A call the control plane answered with an error. */
    public static final class ControlPlaneException extends IOException {
        private final int status;

        public ControlPlaneException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final ProxySettings settings;
    /** Read at start, so that a malformed ECS_CONTAINER_METADATA_URI_V4 stops the proxy there, as before it connects. */
    private final java.net.URI ecsTaskEndpoint;
    /** Built at the first call, not at start: a proxy with a saved configuration is ready before it needs one. */
    private volatile Connection connection;

    /**
     * What calls need: the JDK HTTP client, the AWS credential chain and the signer. Building them loads and
     * initialises a few hundred classes (TLS, {@code java.net.http}, the AWS SDK), about a tenth of a start;
     * done on the control-plane thread, that happens after the saved configuration is served.
     */
    private record Connection(EcsTaskMetadata ecsTask, SignedControlApiClient calls) {
        static Connection of(ProxySettings settings, java.net.URI ecsTaskEndpoint) {
            HttpClient http = ControlApiHttpClient.create(settings.controlApi());
            ControlApiCredentialsProvider credentials = ControlApiCredentialsProvider.builder().controlApi(settings.controlApi())
                    .listener(new LoginLog()).build();
            return new Connection(new EcsTaskMetadata(ecsTaskEndpoint, http),
                    new SignedControlApiClient(settings.controlApi(), settings.region(), credentials, http));
        }
    }

    private volatile java.util.function.BooleanSupplier appHealthy = () -> true;

    /** Where the app's health comes from (its local health check), for Cloud Map's custom health status. */
    public void appHealth(java.util.function.BooleanSupplier healthy) {
        this.appHealthy = healthy;
    }

    private volatile Supplier<TrafficReport> traffic = () -> null;

    /** Where the golden signals each report carries come from (cumulative counters; built at every report). */
    public void traffic(Supplier<TrafficReport> traffic) {
        this.traffic = traffic;
    }

    public ControlPlaneClient(ProxySettings settings) {
        this.settings = settings;
        this.ecsTaskEndpoint = EcsTaskMetadata.endpoint(System.getenv());
    }

    private Connection connection() {
        Connection c = connection;
        if (c == null) {
            synchronized (this) {
                c = connection;
                if (c == null) {
                    c = Connection.of(settings, ecsTaskEndpoint);
                    connection = c;
                }
            }
        }
        return c;
    }

    /** The snapshot once it differs from {@code knownVersion}; empty when it stayed the same for {@code waitSeconds}. */
    public Optional<Fetched> fetch(String knownVersion, int waitSeconds) throws IOException, InterruptedException {
        String path = "/meshwork/v1/proxies/" + settings.proxyId() + "/config?resourceArn=" + encode(settings.resource().arn())
                + "&version=" + encode(knownVersion == null ? "" : knownVersion) + "&waitSeconds=" + waitSeconds;
        HttpResponse<byte[]> response = send("GET", path, null, Duration.ofSeconds(waitSeconds + 15L));
        if (response.statusCode() == 304) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new ControlPlaneException(response.statusCode(), "config fetch: " + response.statusCode() + " "
                    + SnapshotJson.string(response.body()));
        }
        return Optional.of(new Fetched(response.headers().firstValue("x-meshwork-config-version").orElse(""), response.body()));
    }

    /**
     * Registers, heartbeats, acknowledges or refuses: what the proxy runs and where it serves.
     * Returns how long the registration lasts without another report (milliseconds).
     */
    public long report(String runningVersion, String rejectedVersion, String rejectedReason) throws IOException, InterruptedException {
        boolean cloudMap = settings.cloudMapRegistration() != null && settings.endpointAddress() != null;
        ProxyReport report = new ProxyReport(settings.resource().arn(), settings.endpointAddress(), runningVersion, rejectedVersion,
                rejectedReason, cloudMap ? new ProxyReport.CloudMapRegistration(settings.cloudMapRegistration()) : null,
                cloudMap ? appHealthy.getAsBoolean() : null, connection().ecsTask().taskArn(), traffic.get());
        HttpResponse<byte[]> response = send("PUT", "/meshwork/v1/proxies/" + settings.proxyId(),
                SnapshotJson.writeMessage(report), Duration.ofSeconds(10));
        return answer(response, "report", ProxyReport.Accepted.class).expiresInMillis();
    }

    /** Sends the proxy's CSR (its key stays here) and returns the certificate the mesh CA signed. */
    public CertificateRequest.Issued certificate(String csrPem) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send("POST", "/meshwork/v1/proxies/" + settings.proxyId() + "/certificate",
                SnapshotJson.writeMessage(new CertificateRequest(settings.resource().arn(), csrPem)), Duration.ofSeconds(10));
        return answer(response, "certificate", CertificateRequest.Issued.class);
    }

    private static <T> T answer(HttpResponse<byte[]> response, String call, Class<T> type) throws IOException {
        if (response.statusCode() != 200) {
            throw new ControlPlaneException(response.statusCode(), call + ": " + response.statusCode() + " "
                    + SnapshotJson.string(response.body()));
        }
        return SnapshotJson.readMessage(response.body(), type);
    }

    public void deregister() throws IOException, InterruptedException {
        if (connection == null) {
            return; // never called the control plane, so never registered: nothing to build a client for
        }
        send("DELETE", "/meshwork/v1/proxies/" + settings.proxyId(), null, Duration.ofSeconds(3));
    }

    private HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        return connection().calls().send(method, pathAndQuery, body, timeout);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
