package io.meshwork.eks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshwork.eks.endpoints.PodEndpoints;
import io.meshwork.eks.reconcile.AppMeshResources;
import io.meshwork.eks.reconcile.EventRecorder;
import io.meshwork.eks.reconcile.Reconciler;
import io.meshwork.eks.reconcile.StatusWriter;
import io.meshwork.eks.reconcile.WorkQueue;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.ObjectKey;
import io.meshwork.eks.webhook.AdmissionHandler;
import io.meshwork.eks.webhook.CaBundleInstaller;
import io.meshwork.eks.webhook.CustomResourceAdmission;
import io.meshwork.eks.webhook.PodInjector;
import io.meshwork.eks.webhook.WebhookCertificate;
import io.meshwork.eks.webhook.WebhookServer;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The controller, wired: informers feed the work queue (reconciling into the control API) and the
 * Cloud Map registration of pods; the webhook server injects and validates.
 */
public final class MeshworkController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshworkController.class);

    private final ClusterView view;
    private final WorkQueue queue;
    private final WebhookServer webhooks;
    private final WebhookCertificate certificate;
    private final AtomicBoolean ready;
    private final LeaderElection election;
    private final PodEndpoints endpoints;

    private MeshworkController(ClusterView view, WorkQueue queue, WebhookServer webhooks, WebhookCertificate certificate,
                               AtomicBoolean ready, LeaderElection election, PodEndpoints endpoints) {
        this.endpoints = endpoints;
        this.election = election;
        this.view = view;
        this.queue = queue;
        this.webhooks = webhooks;
        this.certificate = certificate;
        this.ready = ready;
    }

    /**
     * @param cloudMap null to leave pods unregistered (no Cloud Map nodes, or Cloud Map not reachable)
     */
    public static MeshworkController start(KubernetesClient client, ControllerSettings settings, SignedControlApiClient api,
                                           ServiceDiscoveryClient cloudMap) throws Exception {
        Clock clock = Clock.systemUTC();
        ClusterView view = new ClusterView(client);
        PodEndpoints endpoints = cloudMap == null ? null : new PodEndpoints(view, cloudMap);
        Reconciler reconciler = new Reconciler(client, view, new AppMeshResources(api), new StatusWriter(client, clock),
                new EventRecorder(client, clock), endpoints == null ? node -> { } : endpoints);
        WorkQueue queue = new WorkQueue(reconciler::reconcile, Duration.ofMillis(500), Duration.ofSeconds(30));
        reconciler.onRequeue(queue::add);

        WebhookCertificate certificate = WebhookCertificate.loadOrGenerate(settings.certDir(), settings.webhookDnsNames());
        AdmissionHandler handler = new AdmissionHandler(new PodInjector(view, settings.injector()), new CustomResourceAdmission(view));
        AtomicBoolean ready = new AtomicBoolean();
        WebhookServer webhooks = new WebhookServer(new InetSocketAddress(settings.webhookAddress(), settings.webhookPort()),
                certificate.sslContext(), handler, ready::get);
        webhooks.start();
        if (certificate.caBundle() != null) {
            int n = CaBundleInstaller.install(client, settings.webhookConfigurations(), certificate.caBundle());
            LOG.info("webhook certificate made here; its CA is in {} webhook configuration(s)", n);
        }
        // Every replica serves the webhooks; only the leader reconciles and registers pods.
        AtomicBoolean leading = new AtomicBoolean(!settings.leaderElection());
        view.start(object -> {
            if (!leading.get()) {
                return;
            }
            queue.add(ObjectKey.of(object));
            if (endpoints != null && object.kind() == AppMeshKind.VIRTUAL_NODE) {
                endpoints.requestResync();
            }
        }, (pod, deleted) -> {
            if (leading.get() && endpoints != null) {
                endpoints.podChanged(pod, deleted);
            }
        }, settings.resync());
        ready.set(true);
        LeaderElection election = null;
        if (settings.leaderElection()) {
            election = new LeaderElection(client, settings.podNamespace(), settings.identity(), () -> {
                leading.set(true);
                for (AppMeshKind kind : AppMeshKind.values()) {
                    view.list(kind).forEach(o -> queue.add(ObjectKey.of(o)));
                }
                if (endpoints != null) {
                    endpoints.requestResync();
                }
            }, () -> leading.set(false));
            election.start();
        }
        LOG.info("meshwork-controller: watching appmesh.k8s.aws/v1beta2, webhooks on https://{}:{}", settings.webhookAddress(), webhooks.port());
        return new MeshworkController(view, queue, webhooks, certificate, ready, election, endpoints);
    }

    public int webhookPort() {
        return webhooks.port();
    }

    public WebhookCertificate certificate() {
        return certificate;
    }

    /** Whether this replica reconciles (it holds the lease, or runs without leader election). */
    public boolean leading() {
        return election == null || election.leading();
    }

    public boolean ready() {
        return ready.get();
    }

    @Override
    public void close() {
        if (election != null) {
            election.close();
        }
        webhooks.close();
        queue.close();
        if (endpoints != null) {
            endpoints.close();
        }
        view.close();
    }
}
